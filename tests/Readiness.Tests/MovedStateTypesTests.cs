using Orleans.Storage;
using Readiness.Silo.Hosting;

namespace Readiness.Tests;

/// <summary>Grain state stored before its type moved assembly is read under the type's name now; new state is written as it is.</summary>
public class MovedStateTypesTests
{
    private sealed class Recording : IGrainStorageSerializer
    {
        public string? Read { get; private set; }

        public BinaryData Serialize<T>(T? input) => BinaryData.FromString("written");

        public T? Deserialize<T>(BinaryData input)
        {
            Read = input.ToString();
            return default;
        }
    }

    [Fact]
    public void The_demo_state_stored_under_its_old_assembly_is_read_under_its_new_one_and_other_state_is_passed_as_it_is()
    {
        var inner = new Recording();
        var moved = new MovedStateTypes(inner);

        moved.Deserialize<object>(BinaryData.FromString("""{"$id":"1","$type":"Readiness.Grains.Demo.DemoProvinceState, Readiness.Grains","Loaded":true}"""));
        var demo = inner.Read;
        moved.Deserialize<object>(BinaryData.FromString("""{"$type":"Readiness.Other, Readiness.Grains","Loaded":true}"""));
        var other = inner.Read;

        Assert.Equal("""{"$id":"1","$type":"Readiness.Abstractions.DemoProvinceState, Readiness.Abstractions","Loaded":true}""", demo);
        Assert.Equal("""{"$type":"Readiness.Other, Readiness.Grains","Loaded":true}""", other);
        Assert.Equal("written", moved.Serialize(new object()).ToString());
        // The name it is read under is the type's own, as Orleans' JSON writes it.
        Assert.Equal("Readiness.Abstractions.DemoProvinceState, Readiness.Abstractions",
            $"{typeof(Readiness.Abstractions.DemoProvinceState).FullName}, {typeof(Readiness.Abstractions.DemoProvinceState).Assembly.GetName().Name}");
    }
}
