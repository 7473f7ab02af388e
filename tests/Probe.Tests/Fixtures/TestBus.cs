using System.Collections.Concurrent;
using MassTransit;
using StatusPlatform.Contracts;

namespace StatusPlatform.Probe.Tests.Fixtures;

/// <summary>One result as the collector received it, with the message id the probe gave it.</summary>
public sealed record ReceivedCheck(CheckCompleted Message, Guid? MessageId);

/// <summary>
/// The test's own MassTransit bus on the probe's virtual host, standing in for Incident.Service: it counts catalog
/// requests from the start, answers them with the catalog the test sets once told to, and collects every result and
/// every membership message.
/// </summary>
public sealed class TestBus : IAsyncDisposable
{
    private readonly IBusControl _bus;
    private readonly ConcurrentQueue<ReceivedCheck> _results = new();
    private readonly ConcurrentQueue<object> _membership = new();
    private int _catalogRequests;
    private MonitorCatalog _catalog = new(0, []);

    private TestBus(Uri amqpUri)
    {
        _bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(amqpUri);
            rabbit.ReceiveEndpoint("test-check-collector", endpoint => endpoint.Handler<CheckCompleted>(context =>
            {
                _results.Enqueue(new ReceivedCheck(context.Message, context.MessageId));
                return Task.CompletedTask;
            }));
            rabbit.ReceiveEndpoint("test-probe-membership", endpoint =>
            {
                endpoint.Handler<ProbeHeartbeat>(context =>
                {
                    _membership.Enqueue(context.Message);
                    return Task.CompletedTask;
                });
                endpoint.Handler<ProbeLeaving>(context =>
                {
                    _membership.Enqueue(context.Message);
                    return Task.CompletedTask;
                });
            });
            // Sees every request (a publish reaches each bound queue) but never answers: the responder is separate.
            rabbit.ReceiveEndpoint("test-catalog-requests", endpoint => endpoint.Handler<GetMonitorCatalog>(_ =>
            {
                Interlocked.Increment(ref _catalogRequests);
                return Task.CompletedTask;
            }));
        });
    }

    public static async Task<TestBus> StartAsync(Uri amqpUri)
    {
        var bus = new TestBus(amqpUri);
        await bus._bus.StartAsync();
        return bus;
    }

    public int CatalogRequests => Volatile.Read(ref _catalogRequests);

    public IReadOnlyList<ReceivedCheck> Results => [.. _results];

    public IReadOnlyList<ReceivedCheck> ResultsFor(string monitorId) => [.. _results.Where(r => r.Message.MonitorId == monitorId)];

    /// <summary>The heartbeats and leave notices probes published, in the order they arrived.</summary>
    public IReadOnlyList<object> Membership => [.. _membership];

    public IReadOnlyList<ProbeHeartbeat> HeartbeatsOf(string instanceId) => [.. _membership.OfType<ProbeHeartbeat>().Where(h => h.InstanceId == instanceId)];

    /// <summary>What the responder answers from now on; a probe only sees it when it asks again.</summary>
    public void Serve(MonitorCatalog catalog) => Volatile.Write(ref _catalog, catalog);

    /// <summary>Incident.Service "comes up": a consumer starts answering GetMonitorCatalog.</summary>
    public async Task StartAnsweringCatalogRequestsAsync()
    {
        var handle = _bus.ConnectReceiveEndpoint("test-catalog-responder", endpoint =>
            endpoint.Handler<GetMonitorCatalog>(context => context.RespondAsync(Volatile.Read(ref _catalog))));
        await handle.Ready;
    }

    public Task PublishAsync<T>(T message) where T : class => _bus.Publish(message);

    public async ValueTask DisposeAsync() => await _bus.StopAsync();
}
