using Readiness.Domain.Integrity;

namespace Readiness.Domain.Tests;

public class EventChainTests
{
    private static readonly ChainedEvent Event = new(
        "bac-kan/ba-be", 3, "outreach_session_held", """{"unitId":"bac-kan/ba-be","attendances":120,"topic":"Luật Quốc phòng"}""",
        "2024-05-01T01:00:00.0000000Z", "system:demo", "demo:17", "corr", "cause");

    [Fact]
    public void The_hash_ignores_how_the_body_was_spelled()
    {
        // PostgreSQL's jsonb hands the body back with its keys reordered, spacing changed and numbers normalised.
        var fromDatabase = Event with { DataJson = """{"topic": "Lu\u1EADt Qu\u1ED1c ph\u00F2ng", "unitId": "bac-kan/ba-be", "attendances": 1.2E2}""" };

        Assert.Equal(EventChain.Hash("prev", Event), EventChain.Hash("prev", fromDatabase));
    }

    public static TheoryData<string, ChainedEvent> Changes => new()
    {
        { "body", Event with { DataJson = """{"unitId":"bac-kan/ba-be","attendances":121,"topic":"Luật Quốc phòng"}""" } },
        { "stream", Event with { StreamKey = "bac-kan/na-ri" } },
        { "version", Event with { Version = 4 } },
        { "type", Event with { EventType = "training_completed" } },
        { "occurred", Event with { OccurredAt = "2024-05-02T01:00:00.0000000Z" } },
        { "recorder", Event with { RecordedBy = "someone" } },
        { "command", Event with { CommandId = "demo:18" } },
        { "correlation", Event with { CorrelationId = null } },
        { "causation", Event with { CausationId = "other" } },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void Any_change_to_an_event_or_its_metadata_changes_its_hash(string change, ChainedEvent changed)
    {
        Assert.True(EventChain.Hash("prev", Event) != EventChain.Hash("prev", changed), change);
    }

    [Fact]
    public void From_the_second_version_the_minter_of_the_token_is_covered_and_the_version_cannot_be_lowered()
    {
        var current = Event with { TokenMintedBy = "province-admin", ChainVersion = EventChain.CurrentVersion };

        Assert.NotEqual(EventChain.Hash("prev", current), EventChain.Hash("prev", current with { TokenMintedBy = "someone-else" }));
        Assert.NotEqual(EventChain.Hash("prev", current), EventChain.Hash("prev", current with { TokenMintedBy = null }));
        Assert.NotEqual(EventChain.Hash("prev", Event), EventChain.Hash("prev", Event with { ChainVersion = EventChain.CurrentVersion }));
        Assert.NotEqual(EventChain.Hash("prev", current), EventChain.Hash("prev", current with { ChainVersion = EventChain.FirstVersion }));
    }

    [Fact]
    public void An_event_of_the_first_version_hashes_as_it_was_recorded_whatever_minter_it_names()
    {
        // The hash this event had before the chain had versions: stores written then must keep verifying.
        const string recorded = "eb475337a02d60e2e8c200177ec1a38ef7c6a42da954b83caefc372980efbdce";

        Assert.Equal(recorded, EventChain.Hash("prev", Event));
        Assert.Equal(recorded, EventChain.Hash("prev", Event with { TokenMintedBy = "anyone" }));
    }

    [Fact]
    public void Names_beyond_ascii_or_written_with_escapes_sort_as_strings_do_ordinally()
    {
        // As UTF-8 bytes U+FF01 would sort before the emoji; as UTF-16 (ordinal strings) it sorts after it.
        const string json = """{"！":1,"😀":2,"b":{"z":5,"\u0079":6},"a":4}""";

        Assert.Equal("""{"a":4,"b":{"y":6,"z":5},"\uD83D\uDE00":2,"\uFF01":1}""", EventChain.Canonical(json));
    }

    [Fact]
    public void The_hash_depends_on_the_previous_link()
    {
        Assert.NotEqual(EventChain.Hash(EventChain.Genesis, Event), EventChain.Hash("prev", Event));
        Assert.Matches("^[0-9a-f]{64}$", EventChain.Hash(EventChain.Genesis, Event));
    }
}
