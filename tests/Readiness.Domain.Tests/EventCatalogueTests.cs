namespace Readiness.Domain.Tests;

public class EventCatalogueTests
{
    [Fact]
    public void The_docs_list_every_event_the_store_registers()
    {
        var catalogue = File.ReadAllText(Path.Combine(Repository.Root, "docs", "events.md"));

        Assert.All(EventCatalogue.Stored, type => Assert.Contains($"`{type.Name}`", catalogue, StringComparison.Ordinal));
    }

    [Fact]
    public void Event_names_are_past_tense_without_an_Event_suffix() =>
        Assert.All(EventCatalogue.Stored, type => Assert.False(type.Name.EndsWith("Event", StringComparison.Ordinal), type.Name));
}
