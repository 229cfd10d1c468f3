using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Readiness.Grains.Actors;

/// <summary>How a state is written into a snapshot, and what its type looks like.</summary>
public static class SnapshotShape
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>
    /// A digest of the type's public members, recursively: a snapshot written before a member was
    /// added, renamed or retyped is of another shape, and the stream is folded from its start instead.
    /// </summary>
    public static string Of(Type type)
    {
        var text = new StringBuilder();
        Describe(type, text, [], depth: 0);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    private static void Describe(Type type, StringBuilder text, HashSet<Type> seen, int depth)
    {
        // The state type's own name is left out: a type renamed with the same members reads the same JSON.
        text.Append(depth == 0 ? string.Empty : type.FullName).Append('{');
        if (depth < 6 && !type.IsPrimitive && !type.IsEnum && type != typeof(string) && type.Namespace?.StartsWith("Readiness", StringComparison.Ordinal) == true && seen.Add(type))
        {
            foreach (var property in type.GetProperties().Where(p => p.GetIndexParameters().Length == 0).OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                text.Append(property.Name).Append(property.CanWrite ? "=" : ":");
                Describe(property.PropertyType, text, seen, depth + 1);
            }
        }
        foreach (var argument in type.GenericTypeArguments)
        {
            Describe(argument, text, seen, depth + 1);
        }
        if (type.IsEnum)
        {
            text.AppendJoin(',', Enum.GetNames(type));
        }
        text.Append('}');
    }
}
