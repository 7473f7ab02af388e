using System.Text.Json;
using StatusPlatform.TestSupport;
using Xunit.Abstractions;

namespace StatusPlatform.EndToEnd;

/// <summary>The walking skeleton: a monitored outage reaches the status page and the subscriber's inbox, and recovery follows it.</summary>
public sealed class OutageEndToEndTests(SuiteWithDemoTarget suite, ITestOutputHelper output) : IClassFixture<SuiteWithDemoTarget>
{
    // Interval x threshold is the detection time by design; the rest is slack for a loaded 2-core CI machine.
    private static readonly TimeSpan Detection = TimeSpan.FromSeconds(SuiteWithDemoTarget.IntervalSeconds * SuiteWithDemoTarget.FailureThreshold + 20);

    [Fact]
    public async Task A_target_going_down_shows_on_the_page_and_in_one_email_and_its_recovery_too()
    {
        try
        {
            await Eventually.Until(async () => ComponentStatus(await suite.GetJsonAsync("api/v2/summary.json"), "shop") == "operational" && suite.Target.Requests > 0,
                TimeSpan.FromSeconds(60), "the suite to show the shop operational after a first check");

            suite.Target.IsUp = false;

            var summary = await Eventually.Until(() => suite.GetJsonAsync("api/v2/summary.json"),
                s => ComponentStatus(s, "shop") == "major_outage", Detection, "summary.json to show the shop's outage");
            Assert.Equal("operational", ComponentStatus(summary, "other"));
            // Components and incidents are separate projections: the incident may land a moment after the status.
            var unresolved = await Eventually.Until(() => suite.GetJsonAsync("api/v2/incidents/unresolved.json"),
                u => u.GetProperty("incidents").GetArrayLength() > 0, TimeSpan.FromSeconds(10), "the automatic incident on the page");
            var incident = Assert.Single(unresolved.GetProperty("incidents").EnumerateArray());
            Assert.Contains("shop", incident.GetProperty("components").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
            Assert.NotEqual("none", (await suite.GetJsonAsync("api/v2/status.json")).GetProperty("status").GetProperty("indicator").GetString());

            var opened = await Eventually.Until(() => suite.InboxAsync(suite.ShopSubscriber), m => m.Count >= 1, Detection, "the outage email");
            await Eventually.Until(suite.AllDeliveriesSettledAsync, TimeSpan.FromSeconds(30), "Notify.Service to settle its deliveries");
            opened = await suite.InboxAsync(suite.ShopSubscriber);
            Assert.Single(opened);
            Assert.Contains("Shop", opened[0].Subject);

            suite.Target.IsUp = true;

            await Eventually.Until(() => suite.GetJsonAsync("api/v2/summary.json"),
                s => ComponentStatus(s, "shop") == "operational", Detection, "summary.json to show the shop operational again");
            await Eventually.Until(() => suite.GetJsonAsync("api/v2/incidents/unresolved.json"),
                u => u.GetProperty("incidents").GetArrayLength() == 0, Detection, "the incident to be resolved");
            await Eventually.Until(() => suite.InboxAsync(suite.ShopSubscriber), m => m.Count >= 2, Detection, "the recovery email");
            await Eventually.Until(suite.AllDeliveriesSettledAsync, TimeSpan.FromSeconds(30), "Notify.Service to settle its deliveries");
            var all = await suite.InboxAsync(suite.ShopSubscriber);
            Assert.Equal(2, all.Count);
            Assert.Contains(all, m => m.Subject.Contains("Resolved", StringComparison.OrdinalIgnoreCase));
            Assert.Empty(await suite.InboxAsync(suite.OtherSubscriber));
            Assert.Equal("none", (await suite.GetJsonAsync("api/v2/status.json")).GetProperty("status").GetProperty("indicator").GetString());
        }
        finally
        {
            foreach (var line in suite.Log)
                output.WriteLine(line);
        }
    }

    private static string? ComponentStatus(JsonElement summary, string id) =>
        summary.GetProperty("components").EnumerateArray().FirstOrDefault(c => c.GetProperty("id").GetString() == id) is { ValueKind: JsonValueKind.Object } c
            ? c.GetProperty("status").GetString()
            : null;
}
