using Npgsql;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Tests.Fixtures;

namespace StatusPlatform.Notify.Tests.Subscribers;

/// <summary>
/// Notify:SubscriptionMailsPerAddress: anyone may type an address into the subscribe form, so one address gets at most
/// that many subscription mails in Notify:SubscriptionMailWindowMinutes, however many StatusApi replicas pass requests on.
/// </summary>
public sealed class SubscriptionMailLimitTests
{
    [Fact]
    public async Task Subscribing_one_address_again_and_again_sends_three_mails_then_refuses_with_a_retry_after_and_changes_nothing()
    {
        await using var given = await ServiceWithSubscribers.StartAsync(TestSettings.With());
        var address = $"Flooded-{Guid.NewGuid():N}@example.com";
        for (var i = 0; i < 3; i++)
        {
            // Mixed case: the limit is per mailbox, as subscribers are.
            var created = await given.Service.AskOkAsync<Subscribe, SubscriptionCreated>(
                new Subscribe("email", i % 2 == 0 ? address : address.ToLowerInvariant(), [ServiceWithSubscribers.Website]));
            Assert.True(created.ConfirmationSent);
        }

        var refused = Assert.IsType<CommandRejected>(await given.Service.AskAsync<Subscribe, SubscriptionCreated>(
            new Subscribe("email", address, [ServiceWithSubscribers.Api])));

        Assert.InRange(refused.RetryAfterSeconds ?? 0, 3500, 3600); // the first of the three leaves the hour's window first
        Assert.Contains("try again in", Assert.Single(refused.Errors["address"]), StringComparison.Ordinal);
        Assert.Equal(["1 confirmation=3"], await RowsAsync(given, """
            select count(distinct s.id) || ' ' || d.kind || '=' || count(*) from notify.subscribers s join notify.deliveries d on d.subscriber_id = s.id
            where lower(s.email) = lower($1) group by d.kind
            """, address));
        // The refused request changed nothing: the subscriber still follows the website only.
        Assert.Equal([ServiceWithSubscribers.Website], await RowsAsync(given, """
            select c.component_id from notify.subscriber_components c join notify.subscribers s on s.id = c.subscriber_id where lower(s.email) = lower($1)
            """, address));

        // Another address is not affected.
        var other = await given.Service.AskOkAsync<Subscribe, SubscriptionCreated>(new Subscribe("email", $"other-{Guid.NewGuid():N}@example.com", null));
        Assert.True(other.ConfirmationSent);
    }

    [Fact]
    public async Task The_limit_is_configurable()
    {
        await using var given = await ServiceWithSubscribers.StartAsync(TestSettings.With(("Notify:SubscriptionMailsPerAddress", "1")));
        var address = $"once-{Guid.NewGuid():N}@example.com";
        await given.Service.AskOkAsync<Subscribe, SubscriptionCreated>(new Subscribe("email", address, null));

        var refused = Assert.IsType<CommandRejected>(await given.Service.AskAsync<Subscribe, SubscriptionCreated>(new Subscribe("email", address, null)));

        Assert.True(refused.RetryAfterSeconds > 0);
    }

    private static async Task<List<string>> RowsAsync(ServiceWithSubscribers given, string sql, string parameter)
    {
        await using var command = given.Database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = parameter });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(reader.GetString(0));
        return rows;
    }
}
