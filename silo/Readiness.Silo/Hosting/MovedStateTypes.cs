using Orleans.Serialization;
using Orleans.Storage;

namespace Readiness.Silo.Hosting;

/// <summary>
/// Grain state that Orleans stored under a type's old name (its JSON names the type with its
/// assembly) read under the type's name now: the demo grain's state moved from Readiness.Grains to
/// Readiness.Abstractions, and a store written before the move must still load its demo rather than
/// fail on every start. What is written is written under the new name.
/// </summary>
internal sealed class MovedStateTypes(IGrainStorageSerializer inner) : IGrainStorageSerializer
{
    private static readonly (string Old, string New)[] Moves =
    [
        ("Readiness.Grains.Demo.DemoProvinceState, Readiness.Grains", "Readiness.Abstractions.DemoProvinceState, Readiness.Abstractions"),
    ];

    public BinaryData Serialize<T>(T? input) => inner.Serialize(input);

    public T? Deserialize<T>(BinaryData input)
    {
        var text = input.ToString();
        var moved = text;
        foreach (var (old, now) in Moves)
        {
            moved = moved.Replace(old, now, StringComparison.Ordinal);
        }
        return inner.Deserialize<T>(moved == text ? input : BinaryData.FromString(moved));
    }

    /// <summary>Wraps whatever serializer Orleans chose for the storage, or its JSON one.</summary>
    public static void Wrap(Orleans.Configuration.AdoNetGrainStorageOptions options, IServiceProvider services) =>
        options.GrainStorageSerializer = new MovedStateTypes(options.GrainStorageSerializer
            ?? new JsonGrainStorageSerializer(services.GetRequiredService<OrleansJsonSerializer>()));
}
