using System.Text;

namespace Readiness.Contracts.Http;

/// <summary>Where each command is posted: <c>/api/commands/</c> and the command's name in kebab case.</summary>
public static class CommandPaths
{
    public const string Prefix = "api/commands/";

    /// <summary>The route name of a command type: <c>HandOverDutyShift</c> → <c>hand-over-duty-shift</c>.</summary>
    /// <param name="commandType">The command's type.</param>
    /// <returns>The last segment of its route.</returns>
    public static string NameOf(Type commandType)
    {
        ArgumentNullException.ThrowIfNull(commandType);
        var name = new StringBuilder();
        foreach (var c in commandType.Name)
        {
            if (char.IsUpper(c) && name.Length > 0)
            {
                name.Append('-');
            }
            name.Append(char.ToLowerInvariant(c));
        }
        return name.ToString();
    }
}
