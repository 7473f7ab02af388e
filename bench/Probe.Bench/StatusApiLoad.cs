using StatusPlatform.StatusApi.Bench;

namespace StatusPlatform.Probe.Bench;

/// <summary>
/// The public API under load beside the probe: StatusApi as a process of its own, from the bench's build, on the page
/// StatusApi.Bench measures (a throwaway database seeded with 50 components and 2 open incidents, and a throwaway
/// virtual host), and wrk hammering its summary.json on the same cores as the probe.
/// </summary>
internal sealed class StatusApiLoad : IAsyncDisposable
{
    private readonly BenchPage _page;
    private readonly StatusApiServer _server;

    private StatusApiLoad(BenchPage page, StatusApiServer server) => (_page, _server) = (page, server);

    public Uri SummaryUri => _server.SummaryUri;

    public string Database => _page.Database;

    public static async Task<StatusApiLoad> StartAsync(string workDirectory, CancellationToken ct)
    {
        var postgres = Environment.GetEnvironmentVariable("ConnectionStrings__statusdb")
            ?? "Host=127.0.0.1;Port=5432;Database=statusplatform;Username=statusplatform;Password=statusplatform";
        var messaging = new Uri(Environment.GetEnvironmentVariable("ConnectionStrings__messaging") ?? BenchBroker.DefaultMessaging);
        var management = new Uri(Environment.GetEnvironmentVariable("SP_RABBIT_MANAGEMENT_URL") ?? BenchBroker.DefaultManagement);
        var page = await BenchPage.CreateAsync(postgres, messaging, management, ct);
        try
        {
            return new StatusApiLoad(page, await StatusApiServer.StartAsync(BuildOutput.Assembly("StatusApi"), page, workDirectory, ct));
        }
        catch
        {
            await page.DisposeAsync();
            throw;
        }
    }

    /// <summary>wrk against summary.json for <paramref name="duration"/> (whole seconds, rounded up); its report when it is done.</summary>
    public Task<WrkResult> HammerAsync(int connections, int threads, TimeSpan duration, CancellationToken ct) =>
        Wrk.RunAsync("StatusApi", _server.SummaryUri, connections, threads, (int)Math.Ceiling(duration.TotalSeconds), ct);

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _page.DisposeAsync();
    }
}
