namespace Readiness.Store.Projections;

/// <summary>What a unit did in one calendar year (by when it happened).</summary>
public sealed class YearTally
{
    public int ConscriptionQuota { get; set; }
    public int RecruitsEnlisted { get; set; }
    public int RecruitsHandedOver { get; set; }
    public int PupilsAndStudentsEducated { get; set; }
    public int CadresEducated { get; set; }
    public int OutreachSessions { get; set; }
    public int OutreachAttendances { get; set; }
    /// <summary>Awards by "Kind/RecipientKind".</summary>
    public Dictionary<string, int> Awards { get; set; } = new(StringComparer.Ordinal);

    public YearTally Copy()
    {
        var copy = (YearTally)MemberwiseClone();
        copy.Awards = new(Awards, StringComparer.Ordinal);
        return copy;
    }
}
