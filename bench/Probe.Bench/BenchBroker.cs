using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using MassTransit;
using StatusPlatform.Contracts;

namespace StatusPlatform.Probe.Bench;

/// <summary>
/// A throwaway RabbitMQ virtual host and a bus on it standing in for Incident.Service: it answers GetMonitorCatalog
/// with the catalog of the current run and notes each probe heartbeat (when a probe instance became active).
/// Results are published to an exchange nobody binds, so the broker drops them after confirming.
/// </summary>
internal sealed class BenchBroker : IAsyncDisposable
{
    public const string DefaultMessaging = "amqp://statusplatform:statusplatform@127.0.0.1:5672/statusplatform";
    public const string DefaultManagement = "http://127.0.0.1:15672/";

    private readonly HttpClient _management;
    private readonly IBusControl _bus;
    private readonly ConcurrentDictionary<(string InstanceId, DateTimeOffset StartedAt), ProbeHeartbeat> _heartbeats = new();
    private MonitorCatalog _catalog = new(0, []);

    private BenchBroker(string vhost, HttpClient management, Uri amqpUri)
    {
        (VirtualHost, _management, AmqpUri) = (vhost, management, amqpUri);
        _bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(amqpUri);
            rabbit.ReceiveEndpoint("bench-catalog-responder", endpoint =>
                endpoint.Handler<GetMonitorCatalog>(context => context.RespondAsync(Volatile.Read(ref _catalog))));
            rabbit.ReceiveEndpoint("bench-heartbeats", endpoint => endpoint.Handler<ProbeHeartbeat>(context =>
            {
                _heartbeats.TryAdd((context.Message.InstanceId, context.Message.StartedAt), context.Message);
                return Task.CompletedTask;
            }));
        });
    }

    public string VirtualHost { get; }

    public Uri AmqpUri { get; }

    public static async Task<BenchBroker> StartAsync(CancellationToken ct)
    {
        var baseUri = new Uri(Environment.GetEnvironmentVariable("ConnectionStrings__messaging") ?? DefaultMessaging);
        var userInfo = Uri.UnescapeDataString(baseUri.UserInfo);
        var management = new HttpClient { BaseAddress = new Uri(Environment.GetEnvironmentVariable("SP_RABBIT_MANAGEMENT_URL") ?? DefaultManagement) };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(userInfo)));
        var vhost = $"sp_bench_{Guid.NewGuid():N}"[..24];
        (await management.PutAsJsonAsync($"api/vhosts/{vhost}", new { }, ct)).EnsureSuccessStatusCode();
        (await management.PutAsJsonAsync($"api/permissions/{vhost}/{Uri.EscapeDataString(userInfo.Split(':')[0])}",
            new { configure = ".*", write = ".*", read = ".*" }, ct)).EnsureSuccessStatusCode();
        var broker = new BenchBroker(vhost, management, new UriBuilder(baseUri) { Path = "/" + vhost }.Uri);
        await broker._bus.StartAsync(ct);
        return broker;
    }

    public void Serve(MonitorCatalog catalog) => Volatile.Write(ref _catalog, catalog);

    /// <summary>The first heartbeat of an instance run that started after <paramref name="after"/>, once one has arrived.</summary>
    public ProbeHeartbeat? HeartbeatAfter(DateTimeOffset after) =>
        _heartbeats.Values.Where(h => h.StartedAt >= after).OrderBy(h => h.StartedAt).FirstOrDefault();

    public async ValueTask DisposeAsync()
    {
        await _bus.StopAsync();
        using (await _management.DeleteAsync(new Uri($"api/vhosts/{VirtualHost}", UriKind.Relative)))
        {
        }
        _management.Dispose();
    }
}
