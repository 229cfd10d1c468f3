namespace Readiness.Domain.Tests;

public class EventCatalogueTests
{
    [Fact]
    public void The_docs_list_every_event_the_store_registers()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Readiness.sln")))
        {
            root = root.Parent!;
        }
        var catalogue = File.ReadAllText(Path.Combine(root.FullName, "docs", "events.md"));

        Assert.All(EventCatalogue.Stored, type => Assert.Contains($"`{type.Name}`", catalogue, StringComparison.Ordinal));
    }

    [Fact]
    public void Event_names_are_past_tense_without_an_Event_suffix() =>
        Assert.All(EventCatalogue.Stored, type => Assert.False(type.Name.EndsWith("Event", StringComparison.Ordinal), type.Name));
}
