using Readiness.Contracts;

namespace Readiness.Domain.Tests;

/// <summary>Every unit command beyond registration: what it records and what it refuses.</summary>
public class UnitCommandRulesTests
{
    private const string Unit = "bac-kan/ba-be/chu-huong";
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 8, 0, 0, TimeSpan.FromHours(7));
    private static readonly DateTimeOffset Founded = new(2020, 1, 2, 8, 0, 0, TimeSpan.FromHours(7));

    private static UnitState Unit30() => UnitState.Initial(Unit) with
    {
        Registered = true, Name = "Ban CHQS xã Chu Hương", Echelon = Echelon.Commune, ParentId = "bac-kan/ba-be",
        RegisteredAt = Founded, AuthorisedStrength = 30, MilitiaSelfDefence = 20, Recruits = 5,
    };

    private static object Accepted(UnitState state, IUnitCommand command)
    {
        var decision = UnitRules.Decide(state, command, Now);
        Assert.Null(decision.Rejection);
        return Assert.Single(decision.Events);
    }

    private static Rejection Refused(UnitState state, IUnitCommand command, RejectionKind kind)
    {
        var decision = UnitRules.Decide(state, command, Now);
        Assert.Empty(decision.Events);
        Assert.Equal(kind, decision.Rejection?.Kind);
        return decision.Rejection!;
    }

    public static TheoryData<IUnitCommand, Type> AcceptedCommands => new()
    {
        { new ChangeAuthorisedStrength("c", Unit, 32, "Tăng biên chế"), typeof(AuthorisedStrengthChanged) },
        { new HandOverRecruits("c", Unit, 5, 2024), typeof(RecruitsHandedOver) },
        { new AssignConscriptionQuota("c", Unit, 2024, 12), typeof(ConscriptionQuotaAssigned) },
        { new RecordMembersJoined("c", Unit, ForceType.ReserveMobilisation, 3), typeof(MembersJoined) },
        { new RecordMembersLeft("c", Unit, ForceType.MilitiaSelfDefence, 2, "Hết niên hạn"), typeof(MembersLeft) },
        { new RecordTraining("c", Unit, "Bắn súng AK", 25, Grade.Good), typeof(TrainingCompleted) },
        { new RecordDefenceEducation("c", Unit, EducationAudience.PupilsAndStudents, 120), typeof(DefenceEducationDelivered) },
        { new RecordOutreachSession("c", Unit, "Luật Dân quân tự vệ", 85), typeof(OutreachSessionHeld) },
        { new EstablishPartyCell("c", Unit, 5), typeof(PartyCellEstablished) },
        { new ConferAward("c", Unit, AwardKind.AdvancedUnit, RecipientKind.Collective, "Ban CHQS xã Chu Hương", "Quyết thắng", 2024), typeof(AwardConferred) },
        { new AssessReadiness("c", Unit, ReadinessLevel.R3, "Lũ quét cuốn trôi kho vũ khí", "Chỉ huy trưởng"), typeof(ReadinessAssessed) },
    };

    [Theory]
    [MemberData(nameof(AcceptedCommands))]
    public void Each_valid_command_records_its_event(IUnitCommand command, Type expected) =>
        Assert.IsType(expected, Accepted(Unit30(), command));

    public static TheoryData<IUnitCommand, string> InvalidCommands => new()
    {
        { new ChangeAuthorisedStrength("c", Unit, 0, "x"), "at least 1" },
        { new ChangeAuthorisedStrength("c", Unit, 30, " "), "reason" },
        { new HandOverRecruits("c", Unit, 6, 2024), "has 5 recruits" },
        { new AssignConscriptionQuota("c", Unit, 2024, -1), "negative" },
        { new AssignConscriptionQuota("c", Unit, 1850, 3), "not plausible" },
        { new RecordMembersJoined("c", Unit, (ForceType)9, 3), "does not exist" },
        { new RecordMembersLeft("c", Unit, ForceType.Standing, 1, "x"), "0 Standing members" },
        { new RecordTraining("c", Unit, "", 5, Grade.Pass), "subject" },
        { new RecordTraining("c", Unit, "Bắn súng", -2, Grade.Pass), "at least 1" },
        { new RecordDefenceEducation("c", Unit, EducationAudience.Cadres, 0), "at least 1" },
        { new RecordOutreachSession("c", Unit, "Luật", -85), "at least 1" },
        { new ConferAward("c", Unit, (AwardKind)42, RecipientKind.Collective, "x", "Quyết thắng", 2024), "does not exist" },
        { new ConferAward("c", Unit, AwardKind.AdvancedSoldier, RecipientKind.Collective, "x", "Quyết thắng", 2024), "not given to a collective" },
        { new ConferAward("c", Unit, AwardKind.AdvancedUnit, RecipientKind.Individual, "x", "Quyết thắng", 2024), "not given to a individual" },
        { new AssessReadiness("c", Unit, ReadinessLevel.R2, "", "Chỉ huy trưởng"), "justification" },
        { new RecordTraining("c", Unit, "Bắn súng", 5, Grade.Pass, Founded.AddDays(-1)), "before unit" },
        { new RecordTraining("c", Unit, "Bắn súng", 5, Grade.Pass, Now.AddDays(1)), "in the future" },
    };

    [Theory]
    [MemberData(nameof(InvalidCommands))]
    public void Invalid_commands_are_refused_with_what_to_fix(IUnitCommand command, string hint) =>
        Assert.Contains(hint, Refused(Unit30(), command, RejectionKind.Invalid).Message, StringComparison.OrdinalIgnoreCase);

    [Fact]
    public void A_party_cell_cannot_be_established_twice_or_dissolved_when_there_is_none()
    {
        var withCell = UnitRules.Evolve(Unit30(), new PartyCellEstablished(Unit, 5, Now));

        Refused(withCell, new EstablishPartyCell("c", Unit, 4), RejectionKind.Conflict);
        Refused(Unit30(), new DissolvePartyCell("c", Unit, "Sáp nhập"), RejectionKind.Conflict);
        Assert.IsType<PartyCellDissolved>(Accepted(withCell, new DissolvePartyCell("c", Unit, "Sáp nhập")));
    }

    [Fact]
    public void An_assessment_is_withdrawn_only_when_one_stands()
    {
        Refused(Unit30(), new WithdrawReadinessAssessment("c", Unit, "Khắc phục xong"), RejectionKind.Conflict);

        var assessed = UnitRules.Evolve(Unit30(), new ReadinessAssessed(Unit, ReadinessLevel.R3, "Lũ", "Chỉ huy trưởng", Now));
        Assert.IsType<ReadinessAssessmentWithdrawn>(Accepted(assessed, new WithdrawReadinessAssessment("c", Unit, "Khắc phục xong")));
    }

    [Fact]
    public void A_commanders_comment_is_recorded_for_a_province_alone_and_within_its_length()
    {
        var province = UnitState.Initial("bac-kan") with { Registered = true, Name = "Bộ CHQS tỉnh Bắc Kạn", Echelon = Echelon.Province, RegisteredAt = Founded, AuthorisedStrength = 200 };
        var longest = new string('ư', UnitRules.MaxCommentLength);

        var recorded = Assert.IsType<CommanderCommentRecorded>(Accepted(province, new RecordCommanderComment("c", "bac-kan", longest, " Đại tá A ")));
        Assert.Equal((longest, "Đại tá A"), (recorded.Comment, recorded.CommentedBy));
        Assert.StartsWith("comment is at most 2000 characters",
            Refused(province, new RecordCommanderComment("c", "bac-kan", longest + "x", "Đại tá A"), RejectionKind.Invalid).Message, StringComparison.Ordinal);
        Assert.StartsWith("comment is required", Refused(province, new RecordCommanderComment("c", "bac-kan", " ", "Đại tá A"), RejectionKind.Invalid).Message, StringComparison.Ordinal);
        Assert.StartsWith("commentedBy is required", Refused(province, new RecordCommanderComment("c", "bac-kan", "Ổn định", ""), RejectionKind.Invalid).Message, StringComparison.Ordinal);
        Assert.Contains("only a province command", Refused(Unit30(), new RecordCommanderComment("c", Unit, "Ổn định", "Đại tá A"), RejectionKind.Invalid).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Commands_to_an_unregistered_unit_are_not_found() =>
        Refused(UnitState.Initial(Unit), new RecordTraining("c", Unit, "Bắn súng", 5, Grade.Pass), RejectionKind.NotFound);

    [Fact]
    public void Strength_follows_every_force_and_the_recruits()
    {
        var state = new object[]
        {
            new RecruitsEnlisted(Unit, 10, 2024, Now),
            new RecruitsHandedOver(Unit, 8, 2024, Now),
            new MembersJoined(Unit, ForceType.Standing, 4, Now),
            new MembersLeft(Unit, ForceType.MilitiaSelfDefence, 5, "Hết niên hạn", Now),
        }.Aggregate(Unit30(), UnitRules.Evolve);

        Assert.Equal(7, state.Recruits);
        Assert.Equal(4, state.Standing);
        Assert.Equal(15, state.MilitiaSelfDefence);
        Assert.Equal(26, state.ActualStrength);
    }
}
