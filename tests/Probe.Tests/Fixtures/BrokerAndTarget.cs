using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using StatusPlatform.Contracts;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Probe.Tests.Fixtures;

/// <summary>
/// The world a probe starts into: a virtual host of its own, the test bus on it collecting results (not yet answering
/// catalog requests), and a target server. Tests start one or more probes into it; everything goes away afterwards.
/// </summary>
public abstract class BrokerAndTarget : IAsyncLifetime
{
    private readonly List<ProbeHost> _probes = [];

    protected TestVirtualHost VirtualHost { get; private set; } = null!;

    protected TestBus Bus { get; private set; } = null!;

    protected TargetServer Target { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        VirtualHost = await TestVirtualHost.CreateAsync();
        Bus = await TestBus.StartAsync(VirtualHost.AmqpUri);
        Target = await TargetServer.StartAsync();
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var probe in _probes)
            await probe.DisposeAsync();
        await Target.DisposeAsync();
        await Bus.DisposeAsync();
        await VirtualHost.DisposeAsync();
    }

    /// <summary>Starts Probe.Service; returns once its host (and with it its bus and scheduler) has started.</summary>
    protected ProbeHost StartProbe(string instanceId = "probe-1", params (string Key, string? Value)[] settings)
    {
        var probe = new ProbeHost(VirtualHost.AmqpUri, instanceId, settings.ToDictionary(s => s.Key, s => s.Value));
        _probes.Add(probe);
        probe.StartServer();
        return probe;
    }

    /// <summary>Stops a probe as a deployment would (its host shuts down); the fixture no longer disposes it.</summary>
    protected async Task StopProbeAsync(ProbeHost probe)
    {
        _probes.Remove(probe);
        await probe.DisposeAsync();
    }

    /// <summary>The test bus answers catalog requests with these monitors, then a probe starts.</summary>
    protected async Task<ProbeHost> StartProbeWithCatalogAsync(params MonitorDefinition[] monitors)
    {
        Bus.Serve(new MonitorCatalog(1, monitors));
        await Bus.StartAnsweringCatalogRequestsAsync();
        return StartProbe();
    }

    protected static MonitorDefinition HttpMonitor(string id, string target, int intervalSeconds = 1, int timeoutSeconds = 1, params int[] expected) =>
        new(id, "component-" + id, "http", target, "GET", intervalSeconds, timeoutSeconds, expected);

    protected Task<IReadOnlyList<ReceivedCheck>> ResultsAsync(string monitorId, int atLeast, string what, int timeoutSeconds = 15) =>
        Eventually.Until(() => Task.FromResult(Bus.ResultsFor(monitorId)), r => r.Count >= atLeast, TimeSpan.FromSeconds(timeoutSeconds), what);

    /// <summary>The queues of this test's virtual host, from the RabbitMQ management API.</summary>
    protected async Task<IReadOnlyList<RabbitQueue>> QueuesAsync()
    {
        using var management = new HttpClient { BaseAddress = Infrastructure.RabbitManagementUri };
        var credentials = Uri.UnescapeDataString(Infrastructure.MessagingUri.UserInfo);
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        return await management.GetFromJsonAsync<List<RabbitQueue>>(new Uri($"api/queues/{VirtualHost.Name}", UriKind.Relative)) ?? [];
    }

    /// <summary>A loopback port nothing listens on: bound and released at once, so a connection is refused.</summary>
    protected static int RefusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed record RabbitQueue(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("durable")] bool Durable,
    [property: JsonPropertyName("arguments")] Dictionary<string, JsonElement> Arguments);
