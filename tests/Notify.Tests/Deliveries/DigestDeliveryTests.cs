using MassTransit;
using Npgsql;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Tests.Fixtures;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Notify.Tests.Deliveries;

/// <summary>
/// Many incidents at once: a subscriber of all their components gets one digest email (through real SMTP) listing them,
/// a subscriber of one component gets that one incident as a normal message; redelivery and a second instance send
/// nothing twice.
/// </summary>
public sealed class DigestDeliveryTests
{
    private const int Incidents = 5;

    [Fact]
    public async Task Five_incidents_opened_together_reach_a_subscriber_of_all_as_one_digest_and_a_subscriber_of_one_as_its_own_message()
    {
        await using var given = await Storm.StartAsync(instances: 1);
        var opened = await given.OpenIncidentsAsync();

        await given.WaitUntilSettledAsync(opened);

        var digest = Assert.Single(await Arrived(given.Everything));
        Assert.StartsWith($"[Investigating] {Incidents} updates: ", digest.Subject);
        foreach (var (incident, _) in opened)
        {
            Assert.Contains(incident.Name, digest.Text);
            Assert.Contains(incident.Name, digest.Html);
            Assert.Contains($"/incidents/{incident.IncidentId}", digest.Html);
        }
        var single = Assert.Single(await Arrived(given.OneComponent));
        Assert.Equal($"[Investigating] Component 0: {opened[0].Incident.Name}", single.Subject);

        // The decision is on record: five deliveries folded into the one digest row that was sent.
        var rows = await given.RowsAsync(given.Everything);
        var digestRow = Assert.Single(rows, r => r.Kind == "digest");
        Assert.Equal(("sent", 1), (digestRow.Status, digestRow.Attempts));
        Assert.Equal(Incidents, rows.Count(r => r.Status == "folded" && r.DigestId == digestRow.Id));

        // The same event again: recorded once already, so nothing new is sent or written.
        await given.Services[0].PublishAsync(opened[2].Incident, opened[2].MessageId);
        await given.Services[0].WaitUntilConsumedAsync(opened[2].MessageId, times: 2);
        Assert.Equal(rows.Count, (await given.RowsAsync(given.Everything)).Count);
        Assert.Single(await MailDev.EmailsToAsync(given.Everything));
    }

    [Fact]
    public async Task Two_instances_make_one_digest_between_them()
    {
        await using var given = await Storm.StartAsync(instances: 2);
        var opened = await given.OpenIncidentsAsync();

        await given.WaitUntilSettledAsync(opened);

        var digest = Assert.Single(await Arrived(given.Everything));
        Assert.StartsWith($"[Investigating] {Incidents} updates: ", digest.Subject);
        Assert.Single(await Arrived(given.OneComponent));
        Assert.Single(await given.RowsAsync(given.Everything), r => r.Kind == "digest");
    }

    private static Task<IReadOnlyList<ReceivedEmail>> Arrived(string recipient) =>
        Eventually.Until(() => MailDev.EmailsToAsync(recipient), emails => emails.Count >= 1, NotifyServiceHost.Patience, $"an email to {recipient}");

    private sealed record Row(Guid Id, string Kind, string Status, int Attempts, Guid? DigestId);

    /// <summary>Notify.Service (one or two instances) with a subscriber of six components and one of the first only.</summary>
    private sealed class Storm : IAsyncDisposable
    {
        public string Everything { get; } = $"everything-{Guid.NewGuid():N}@example.com";
        public string OneComponent { get; } = $"one-{Guid.NewGuid():N}@example.com";
        public List<NotifyServiceHost> Services { get; } = [];

        private TestDatabase _database = null!;
        private TestVirtualHost _vhost = null!;
        private ConfigFile _file = null!;

        public static async Task<Storm> StartAsync(int instances)
        {
            var storm = new Storm();
            try
            {
                storm._database = await TestDatabase.CreateAsync();
                storm._vhost = await TestVirtualHost.CreateAsync();
                storm._file = ConfigFile.With($"""
                    subscribers:
                      - email: {storm.Everything}
                        components: [{string.Join(", ", Enumerable.Range(0, 6).Select(Component))}]
                      - email: {storm.OneComponent}
                        components: [{Component(0)}]
                    """);
                // A wait longer than publishing five messages takes, so they are gathered together (the default is 5 s).
                var settings = TestSettings.With(("Notify:Digest:Wait", "00:00:06"));
                for (var i = 0; i < instances; i++)
                    storm.Services.Add(await NotifyServiceHost.StartAsync(storm._database, storm._vhost, storm._file.Path, settings));
                return storm;
            }
            catch
            {
                await storm.DisposeAsync();
                throw;
            }
        }

        public static string Component(int i) => $"component-{i}";

        public async Task<List<(IncidentOpened Incident, Guid MessageId)>> OpenIncidentsAsync()
        {
            var opened = Enumerable.Range(0, Incidents)
                .Select(i => (Fixtures.Incidents.Opened(new AffectedComponent(Component(i), $"Component {i}", ComponentStatus.MajorOutage)), NewId.NextGuid()))
                .ToList();
            foreach (var (incident, messageId) in opened)
                await Services[0].PublishAsync(incident, messageId);
            return opened;
        }

        /// <summary>Every incident's deliveries recorded (one per subscriber) and nothing pending or held any more.</summary>
        public Task<IReadOnlyList<DeliveryDetail>> WaitUntilSettledAsync(List<(IncidentOpened Incident, Guid MessageId)> opened) =>
            Eventually.Until(async () => await Services[0].DeliveryDetailsAsync(),
                rows => rows.Count(r => opened.Any(o => o.MessageId == r.EventId)) == Incidents + 1
                        && rows.Any(r => r.Kind == "digest") && rows.All(r => r.Status != "pending"),
                NotifyServiceHost.Patience, "the incidents' deliveries and the digest to settle");

        public async Task<List<Row>> RowsAsync(string recipient)
        {
            await using var command = _database.DataSource.CreateCommand(
                "select id, coalesce(kind, ''), status, attempts, digest_id from notify.deliveries where recipient = $1");
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = recipient });
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<Row>();
            while (await reader.ReadAsync())
                rows.Add(new Row(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.IsDBNull(4) ? null : reader.GetGuid(4)));
            return rows;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var service in Services)
                await service.DisposeAsync();
            if (_vhost is not null)
                await _vhost.DisposeAsync();
            if (_database is not null)
                await _database.DisposeAsync();
            _file?.Dispose();
        }
    }
}
