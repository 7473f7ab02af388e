using Npgsql;
using StatusPlatform.TestSupport;

namespace StatusPlatform.EventSourcing.Tests;

/// <summary>Reading the global feed as it could be known at a moment (recorded_at), for time travel.</summary>
public sealed class ReadingByTimeTests(EmptyEventStore fixture) : IClassFixture<EmptyEventStore>
{
    private readonly EventStore _store = fixture.Store;

    [Fact]
    public async Task The_feed_until_a_moment_leaves_out_later_events_even_where_they_come_before_earlier_ones()
    {
        var (early, late, first) = ($"counter-{Guid.NewGuid():N}", $"counter-{Guid.NewGuid():N}", $"counter-{Guid.NewGuid():N}");
        await _store.AppendAsync(first, ExpectedVersion.NoStream, [new CounterStarted(first, 0), new CounterIncremented(first, 1)]);

        // A transaction that starts (and so records) before another, but commits after it: a later position, an earlier time.
        await using (var session = await _store.OpenSessionAsync())
        {
            await using (var begin = new NpgsqlCommand("select 1", session.Connection, session.Transaction))
                await begin.ExecuteNonQueryAsync();
            await _store.AppendAsync(late, ExpectedVersion.NoStream, [new CounterStarted(late, 0)]);
            session.Append(early, ExpectedVersion.NoStream, new CounterStarted(early, 0));
            await session.SaveChangesAsync();
        }

        var sequencer = fixture.NewSequencer();
        await sequencer.StartAsync(CancellationToken.None);
        IReadOnlyList<StoredEvent> all;
        try
        {
            all = await Eventually.Until(() => _store.ReadAllAsync(0, 100), e => e.Count == 4, TimeSpan.FromSeconds(20), "the events to be sequenced");
        }
        finally
        {
            await sequencer.StopAsync(CancellationToken.None);
        }
        var (lateEvent, earlyEvent) = (all.Single(e => e.StreamId == late), all.Single(e => e.StreamId == early));
        Assert.True(earlyEvent.GlobalPosition > lateEvent.GlobalPosition && earlyEvent.RecordedAt < lateEvent.RecordedAt, "the history is out of order as intended");

        var untilEarly = await _store.ReadAllAsync(0, 100, earlyEvent.RecordedAt);
        Assert.Equal([first, first, early], untilEarly.Select(e => e.StreamId));
        var untilLate = await _store.ReadAllAsync(0, 100, lateEvent.RecordedAt);
        Assert.Equal([first, first, late, early], untilLate.Select(e => e.StreamId));
        Assert.Empty(await _store.ReadAllAsync(0, 100, all.Min(e => e.RecordedAt).AddTicks(-10)));

        // Paged from a position, like the unfiltered read.
        var page = await _store.ReadAllAsync(untilLate[1].GlobalPosition!.Value, 1, lateEvent.RecordedAt);
        Assert.Equal(lateEvent.EventId, Assert.Single(page).EventId);
    }
}
