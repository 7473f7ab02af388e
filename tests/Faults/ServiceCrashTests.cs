using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using StatusPlatform.Faults.Fixtures;
using Xunit.Abstractions;

namespace StatusPlatform.Faults;

/// <summary>
/// Each service is killed with SIGKILL in the middle of its work and started again: Incident.Service while it folds a
/// stream of results, Notify.Service while it fans an incident out, StatusApi while admin writes come in, and
/// Probe.Service while it checks its monitors.
/// </summary>
public sealed class ServiceCrashTests(ITestOutputHelper output)
{
    private const int Components = 30;
    private const int Cycles = 3;
    private const int Subscribers = 200;
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_killed_and_restarted_incident_service_loses_and_repeats_no_transition()
    {
        var infra = Infra.Shared;
        var configFile = Path.Combine(Path.GetTempPath(), $"sp-faults-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(configFile, CheckStream.Yaml(Components));
        var database = await infra.CreateDatabaseAsync();
        var amqp = await infra.CreateVirtualHostAsync();
        var service = ServiceProcess.Incident(new Dictionary<string, string>
        {
            ["ConnectionStrings__statusdb"] = database,
            ["ConnectionStrings__messaging"] = amqp.ToString(),
            ["StatusPlatform__ConfigFile"] = configFile,
        });
        try
        {
            await service.StartAsync(StartTimeout);
            var stream = new CheckStream(database, amqp, Components, Cycles);
            var running = stream.RunAsync(PhaseTimeout);

            await CheckStream.Until(async () => await stream.RecordedAsync() >= stream.Total / 3, PhaseTimeout, "a third of the results");
            await service.KillAsync();
            var recordedAtKill = await stream.RecordedAsync();
            await service.StartAsync(StartTimeout);
            await running;

            Assert.True(recordedAtKill < stream.Total, "the kill came after the last result; it proves nothing");
            await StreamAssertions.AssertConsistentAsync(stream, infra, amqp);
        }
        finally
        {
            await service.DisposeAsync();
            await infra.DeleteVirtualHostAsync(amqp);
            await infra.DropDatabaseAsync(database);
            File.Delete(configFile);
        }
    }

    /// <summary>
    /// SMTP has no transaction with the delivery log, so each send is marked as sent just before its end of data goes
    /// out (DeliveryWorker, SentMarks): a message cut off before its end is thrown away by the server and sent again,
    /// one whose end went out is recorded, not repeated. Every subscriber gets exactly one message, by count, and
    /// nothing stays pending.
    /// </summary>
    [Fact]
    public async Task A_killed_and_restarted_notify_service_gives_every_subscriber_the_notification_exactly_once()
    {
        await using var notify = new NotifyWithSubscribers(Infra.Shared, Subscribers);
        await notify.StartAsync();
        var incident = NotifyWithSubscribers.Incident($"Crash fan-out {Guid.NewGuid():N}"[..30]);

        await notify.PublishAsync(incident, Guid.NewGuid());
        await CheckStream.Until(async () => (await notify.MailAsync()).Count >= Subscribers / 4, PhaseTimeout, "the fan-out under way");
        await notify.Service.KillAsync();
        var atKill = await notify.DeliveryStatusesAsync();
        var mailsAtKill = (await notify.MailAsync()).Count;
        var marksAtKill = await notify.RowsAsync("select count(*) from notify.delivery_marks");
        Assert.Contains(atKill, s => s.StartsWith("pending=", StringComparison.Ordinal)); // it really died mid fan-out
        await notify.Service.StartAsync(StartTimeout);

        await notify.SettledAsync(Subscribers, PhaseTimeout);
        var mails = await notify.MailAsync();
        FanOutAssertions.AssertOneMessagePerNotification(mails, notify.Recipients, [incident.Name]);
        var recordedAfter = await notify.RowsAsync("select count(*) from notify.deliveries where outcome like 'sent; the reply was not recorded%'");
        output.WriteLine($"log at the kill: {string.Join(", ", atKill)}; marked, batch not committed: {marksAtKill[0]}; mails at the kill: {mailsAtKill}; " +
            $"after: {mails.Count}; recorded from their marks after the restart: {recordedAfter[0]}");
        FanOutAssertions.AssertExactlyOneMessageEach(mails, notify.Recipients, [incident.Name]);
    }

    /// <summary>
    /// StatusApi keeps nothing of its own: an admin write is a command to Incident.Service. Writes answered before the
    /// kill are recorded exactly once; the one in flight at the kill at most once; and the restarted replica serves the
    /// public API with all of them.
    /// </summary>
    [Fact]
    public async Task A_killed_and_restarted_status_api_serves_again_and_loses_or_doubles_no_admin_write()
    {
        const string key = "sp_faults-bootstrap-key-0123456789abcdefghij";
        const int writes = 24;
        await using var incident = new InProcessIncidentService(Infra.Shared, CheckStream.Yaml(3));
        await incident.StartAsync();
        var stream = incident.Stream(3, 1);
        await CheckStream.Until(async () => await stream.ScalarAsync<long>("select count(*) from status.components") == 3, PhaseTimeout, "the catalog");
        var page = (await stream.RowsAsync("select id from status.page")).Single();
        await using var api = ServiceProcess.StatusApi(new Dictionary<string, string>
        {
            ["ConnectionStrings__statusdb"] = incident.ConnectionString,
            ["ConnectionStrings__messaging"] = incident.Amqp.ToString(),
            ["AdminApi__BootstrapKey"] = key,
        });
        await api.StartAsync(StartTimeout);
        using var http = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        var (acknowledged, inFlight) = (new List<string>(), new List<string>());
        for (var i = 0; i < writes; i++)
        {
            if (i == writes / 3)
            {
                // The kill lands while a write is under way: sent, not yet answered.
                var pending = CreateIncidentAsync(http, page, i);
                await Task.Delay(TimeSpan.FromMilliseconds(20));
                await api.KillAsync();
                (await pending is { } answered ? acknowledged : inFlight).Add(Name(i));
                await api.StartAsync(StartTimeout);
                continue;
            }
            acknowledged.Add(await CreateIncidentAsync(http, page, i) ?? throw new InvalidOperationException($"write {i} was not answered"));
        }

        // Each acknowledged write once, the one in flight at most once, nothing else.
        var names = await EventuallyNamesAsync(stream, acknowledged.Count);
        Assert.All(acknowledged, name => Assert.Equal(1, names.Count(n => n == name)));
        Assert.All(inFlight, name => Assert.InRange(names.Count(n => n == name), 0, 1));
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal(names.Count, await stream.ScalarAsync<long>("select count(*) from events.events where event_type = 'incident_opened'"));

        // The public API of the restarted replica shows them all.
        using var anonymous = new HttpClient { BaseAddress = api.BaseAddress };
        await CheckStream.Until(async () =>
        {
            var body = await anonymous.GetFromJsonAsync<JsonElement>(new Uri("api/v2/incidents.json", UriKind.Relative));
            var shown = body.GetProperty("incidents").EnumerateArray().Select(i => i.GetProperty("name").GetString()).ToList();
            return acknowledged.All(shown.Contains);
        }, PhaseTimeout, "the public API to list every acknowledged incident");
        output.WriteLine($"{acknowledged.Count} writes acknowledged, {inFlight.Count} in flight at the kill; {names.Count} incidents recorded");
    }

    /// <summary>
    /// A probe keeps no state but its schedule: restarted (as a new instance, as a replaced pod would be), it takes the
    /// catalog from Incident.Service again and checks every monitor within one interval of its start, the promise of
    /// FirstRound, read from the start times the probe itself records.
    /// </summary>
    [Fact]
    public async Task A_killed_and_restarted_probe_checks_every_monitor_again_within_one_interval()
    {
        const int monitors = 12;
        var interval = TimeSpan.FromSeconds(10);
        await using var incident = new InProcessIncidentService(Infra.Shared, CheckStream.Yaml(monitors));
        await incident.StartAsync();
        var stream = incident.Stream(monitors, 1);
        ServiceProcess Probe(string instance) => ServiceProcess.Probe(new Dictionary<string, string>
        {
            ["ConnectionStrings__messaging"] = incident.Amqp.ToString(),
            ["Probe__InstanceId"] = instance,
            ["Probe__Region"] = "eu",
            ["Probe__MinimumInterval"] = interval.ToString("c", CultureInfo.InvariantCulture),
        });
        await using var first = Probe("probe-before");
        await first.StartAsync(StartTimeout);
        await CheckStream.Until(async () => await stream.ScalarAsync<long>("select count(*) from checks.results where probe_instance = 'probe-before'") >= 3,
            PhaseTimeout, "the first probe's checks");
        await first.KillAsync();

        await using var second = Probe("probe-after");
        await second.StartAsync(StartTimeout);
        var startedAt = second.StartedAt;
        await CheckStream.Until(async () => await stream.ScalarAsync<long>(
            "select count(distinct monitor_id) from checks.results where probe_instance = 'probe-after'") == monitors, PhaseTimeout, "every monitor checked again");

        var firstChecks = await stream.RowsAsync(
            "select monitor_id || ' ' || to_char(min(started_at) at time zone 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS') from checks.results where probe_instance = 'probe-after' group by monitor_id order by 1");
        var latest = firstChecks.Select(r => DateTimeOffset.Parse(r.Split(' ')[1] + "Z", CultureInfo.InvariantCulture)).Max();
        output.WriteLine($"restarted probe: last first check {(latest - startedAt).TotalSeconds:0.0} s after the process start (interval {interval.TotalSeconds} s)");
        Assert.True(latest < startedAt + interval, $"a monitor waited longer than one interval after the restart: {string.Join(", ", firstChecks)} (started {startedAt:O})");
    }

    private static string Name(int i) => $"Crash write {i:00}";

    /// <summary>The incident's name when the API answered 201 or 202, null when the answer never came (the kill).</summary>
    private static async Task<string?> CreateIncidentAsync(HttpClient http, string page, int i)
    {
        try
        {
            using var response = await http.PostAsync(new Uri($"api/v1/pages/{page}/incidents", UriKind.Relative), new StringContent(
                $$$"""{"incident":{"name":"{{{Name(i)}}}","status":"investigating","body":"Write {{{i}}}","component_ids":["{{{CheckStream.ComponentId(i % 3)}}}"]}}""",
                Encoding.UTF8, "application/json"));
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Accepted,
                $"write {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return Name(i);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task<List<string>> EventuallyNamesAsync(CheckStream stream, int atLeast)
    {
        var names = new List<string>();
        await CheckStream.Until(async () =>
        {
            names = await stream.RowsAsync("select name from status.incidents order by name");
            return names.Count >= atLeast;
        }, PhaseTimeout, $"{atLeast} incidents on the page");
        return names;
    }
}
