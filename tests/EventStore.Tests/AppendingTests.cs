using System.Diagnostics;
using Npgsql;
using StatusPlatform.EventSourcing.Schema;

namespace StatusPlatform.EventSourcing.Tests;

public sealed class AppendingTests(EmptyEventStore fixture) : IClassFixture<EmptyEventStore>
{
    private readonly EventStore _store = fixture.Store;

    private static string NewStream() => $"counter-{Guid.NewGuid():N}";

    [Fact]
    public async Task Appending_to_a_new_stream_numbers_versions_from_one()
    {
        var id = NewStream();
        var version = await _store.AppendAsync(id, ExpectedVersion.NoStream, [new CounterStarted(id, 1), new CounterIncremented(id, 2)]);

        Assert.Equal(2, version);
        var events = await _store.FetchStreamAsync(id);
        Assert.Equal([1L, 2L], events.Select(e => e.Version));
        Assert.Equal(new CounterIncremented(id, 2), events[1].Data);
    }

    [Fact]
    public async Task A_stale_expected_version_raises_a_concurrency_exception_naming_stream_and_versions()
    {
        var id = NewStream();
        await _store.AppendAsync(id, ExpectedVersion.NoStream, [new CounterStarted(id, 0)]);
        await _store.AppendAsync(id, ExpectedVersion.Exactly(1), [new CounterIncremented(id, 1)]);

        var conflict = await Assert.ThrowsAsync<ConcurrencyException>(() =>
            _store.AppendAsync(id, ExpectedVersion.Exactly(1), [new CounterIncremented(id, 5)]));

        Assert.Equal(id, conflict.StreamId);
        Assert.Equal(ExpectedVersion.Exactly(1), conflict.Expected);
        Assert.Equal(2, conflict.ActualVersion);
        Assert.Contains(id, conflict.Message);
        Assert.Equal(2, (await _store.FetchStreamAsync(id)).Count);
    }

    [Fact]
    public async Task No_stream_refuses_an_existing_stream_and_any_accepts_every_version()
    {
        var id = NewStream();
        await _store.AppendAsync(id, ExpectedVersion.Any, [new CounterStarted(id, 0)]);

        var conflict = await Assert.ThrowsAsync<ConcurrencyException>(() =>
            _store.AppendAsync(id, ExpectedVersion.NoStream, [new CounterStarted(id, 0)]));
        Assert.Equal(1, conflict.ActualVersion);

        Assert.Equal(2, await _store.AppendAsync(id, ExpectedVersion.Any, [new CounterIncremented(id, 1)]));
    }

    [Fact]
    public async Task A_session_appends_to_several_streams_atomically()
    {
        var (a, b) = (NewStream(), NewStream());
        await _store.AppendAsync(b, ExpectedVersion.NoStream, [new CounterStarted(b, 0)]);

        await using (var session = await _store.OpenSessionAsync())
        {
            session.Append(a, ExpectedVersion.NoStream, new CounterStarted(a, 0));
            session.Append(b, ExpectedVersion.Exactly(0), new CounterIncremented(b, 1)); // stale: b is at 1
            await Assert.ThrowsAsync<ConcurrencyException>(() => session.SaveChangesAsync());
        }

        Assert.Null(await _store.GetStreamStateAsync(a));
        Assert.Single(await _store.FetchStreamAsync(b));

        await using (var session = await _store.OpenSessionAsync())
        {
            session.Append(b, ExpectedVersion.Exactly(1), new CounterIncremented(b, 1));
            session.Append(a, ExpectedVersion.NoStream, new CounterStarted(a, 0));
            var versions = await session.SaveChangesAsync();
            Assert.Equal(1, versions[a]);
            Assert.Equal(2, versions[b]);
        }
    }

    [Fact]
    public async Task Events_are_stored_under_their_alias_with_metadata_and_the_ambient_trace()
    {
        var id = NewStream();
        using var activity = new Activity("test").SetIdFormat(ActivityIdFormat.W3C).Start();
        await _store.AppendAsync(id, ExpectedVersion.NoStream, [new CounterStarted(id, 3)],
            new EventMetadata(CorrelationId: "corr-1", CausationId: "cause-1", Actor: "alice"));

        var stored = Assert.Single(await _store.FetchStreamAsync(id));
        Assert.Equal("counter_started", stored.EventType);
        Assert.Equal(new EventMetadata("corr-1", "cause-1", activity.Id, "alice"), stored.Metadata);

        await using var command = fixture.Database.DataSource.CreateCommand("select event_type, data->>'start' from events.events where stream_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("counter_started", reader.GetString(0));
        Assert.Equal("3", reader.GetString(1));
    }

    [Fact]
    public async Task An_unregistered_event_type_is_refused_before_anything_is_written()
    {
        var id = NewStream();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _store.AppendAsync(id, ExpectedVersion.Any, [new { Surprise = true }]));
        Assert.Contains("no alias", error.Message);
        Assert.Null(await _store.GetStreamStateAsync(id));
    }

    [Fact]
    public async Task Reading_from_a_version_returns_only_later_events()
    {
        var id = NewStream();
        await _store.AppendAsync(id, ExpectedVersion.NoStream,
            [new CounterStarted(id, 0), new CounterIncremented(id, 1), new CounterIncremented(id, 2), new CounterIncremented(id, 3)]);

        var later = await _store.FetchStreamAsync(id, afterVersion: 2);

        Assert.Equal([3L, 4L], later.Select(e => e.Version));
    }

    [Fact]
    public async Task A_duplicate_version_insert_fails_loudly_instead_of_being_skipped()
    {
        var id = NewStream();
        await _store.AppendAsync(id, ExpectedVersion.NoStream, [new CounterStarted(id, 0)]);

        // Bypass the function, as a buggy writer would: the unique (stream, version) key must refuse it.
        await using var command = fixture.Database.DataSource.CreateCommand(
            "insert into events.events (event_id, stream_id, version, event_type, data) values (gen_random_uuid(), $1, 1, 'counter_started', '{}')");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
        var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
    }

    [Fact]
    public async Task Migrating_twice_is_harmless()
    {
        var id = NewStream();
        await _store.AppendAsync(id, ExpectedVersion.NoStream, [new CounterStarted(id, 0)]);

        await Task.WhenAll(
            EventStoreSchema.MigrateAsync(fixture.Database.DataSource, _store.Options),
            EventStoreSchema.MigrateAsync(fixture.Database.DataSource, _store.Options));

        Assert.Single(await _store.FetchStreamAsync(id));
    }
}
