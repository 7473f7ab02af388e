using StatusPlatform.Notify.Tests.Fixtures;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Notify.Tests.Subscribers;

/// <summary>Subscribers come from the configuration file at start-up: idempotently, and never from a broken file.</summary>
public sealed class SubscriberSeedingTests
{
    [Fact]
    public async Task Seeding_the_same_file_twice_creates_no_duplicate_subscribers()
    {
        await using var given = await ServiceWithSubscribers.StartAsync();
        var first = await SubscriptionsAsync(given.Database);

        await given.StopAsync();
        await given.StartAgainAsync();

        var second = await SubscriptionsAsync(given.Database);
        Assert.Equal(first, second);
        Assert.Equal(
            new[] { (given.ApiFan, "api"), (given.OpsTeam, "api"), (given.OpsTeam, "website"), (given.WebsiteFan, "website") },
            second.Select(s => (s.Email, s.Component)));
        Assert.Equal(3, second.Select(s => s.SubscriberId).Distinct().Count());
    }

    [Fact]
    public async Task A_changed_component_list_replaces_the_subscribers_components()
    {
        await using var given = await ServiceWithSubscribers.StartAsync();
        var before = await SubscriptionsAsync(given.Database);
        await given.StopAsync();

        given.File.Write($"""
            subscribers:
              - email: {given.WebsiteFan.ToUpperInvariant()}
                components: [api]
              - email: {given.OpsTeam}
                components: [website, api]
            """);
        await given.StartAgainAsync();

        var after = await SubscriptionsAsync(given.Database);
        var websiteFanId = before.First(s => s.Email == given.WebsiteFan).SubscriberId;
        Assert.Equal([(websiteFanId, "api")], after.Where(s => s.SubscriberId == websiteFanId).Select(s => (s.SubscriberId, s.Component)));
        Assert.Equal(before.Where(s => s.Email != given.WebsiteFan), after.Where(s => s.SubscriberId != websiteFanId));
    }

    [Fact]
    public async Task An_invalid_entry_stops_start_up_with_a_message_naming_the_file_and_the_entry()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var vhost = await TestVirtualHost.CreateAsync();
        using var file = ConfigFile.With("""
            subscribers:
              - email: ops@example.com
                components: [website]
              - email: not-an-email
                components: [website]
            """);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => NotifyServiceHost.StartAsync(database, vhost, file.Path));

        var messages = string.Join(" | ", Chain(error).Select(e => e.Message));
        Assert.Contains($"{file.Path}, subscribers entry 2 (line 4): 'not-an-email' is not an email address.", messages);
        await using var schema = database.DataSource.CreateCommand("select count(*) from information_schema.schemata where schema_name = 'notify'");
        Assert.Equal(0L, await schema.ExecuteScalarAsync());
    }

    private sealed record Subscription(Guid SubscriberId, string Email, string Component, string Source, bool Confirmed);

    private static async Task<IReadOnlyList<Subscription>> SubscriptionsAsync(TestDatabase database)
    {
        await using var command = database.DataSource.CreateCommand("""
            select s.id, s.email, sc.component_id, s.source, s.confirmed
            from notify.subscribers s left join notify.subscriber_components sc on sc.subscriber_id = s.id
            order by lower(s.email), sc.component_id
            """);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Subscription>();
        while (await reader.ReadAsync())
            rows.Add(new Subscription(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetBoolean(4)));
        Assert.All(rows, r => Assert.Equal(("config", true), (r.Source, r.Confirmed)));
        return rows;
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            yield return x;
        if (e is AggregateException aggregate)
        {
            foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain))
                yield return inner;
        }
    }
}
