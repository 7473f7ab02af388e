using Npgsql;
using StatusPlatform.EventSourcing;
using StatusPlatform.Incident.Storage;
using StatusPlatform.ServiceDefaults;

namespace StatusPlatform.Incident.Rebuild;

/// <summary>
/// <c>Incident.Service rebuild</c> (e.g. <c>dotnet run --project src/Incident.Service -- rebuild</c>): builds the
/// service's registrations with the same configuration as the service itself (ConnectionStrings__statusdb, ...),
/// starts none of its hosted services, and rebuilds the read models once. Exit code 0 on success, 1 on failure.
/// </summary>
public static class RebuildCommand
{
    public const string Verb = "rebuild";

    public static bool IsRequested(string[] args) => args.Length > 0 && string.Equals(args[0], Verb, StringComparison.OrdinalIgnoreCase);

    public static async Task<int> RunAsync(string[] args)
    {
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        var builder = WebApplication.CreateBuilder(args[1..]);
        builder.AddServiceDefaults();
        builder.AddIncidentService();
        await using var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RebuildCommand));
        try
        {
            // The schemas as the service would create them: a rebuild may be the first thing run against a restored database.
            var store = app.Services.GetRequiredService<EventStore>();
            await EventSourcing.Schema.EventStoreSchema.MigrateAsync(store.DataSource, store.Options, stop.Token);
            await new IncidentSchema(app.Services.GetRequiredService<NpgsqlDataSource>()).StartAsync(stop.Token);
            var report = await ActivatorUtilities.CreateInstance<ReadModelRebuild>(app.Services).RunAsync(stop.Token);
            Console.WriteLine($"rebuilt {report.Tables.Count} tables ({string.Join(", ", report.Tables)}) with {report.Projections.Count} projections " +
                $"from {report.Events} events up to feed position {report.Position} in {report.Elapsed.TotalSeconds:0.0} s");
            return 0;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            logger.LogWarning("Rebuild cancelled; nothing was changed (it commits once, at the end)");
            return 1;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Rebuild failed; nothing was changed (it commits once, at the end)");
            return 1;
        }
    }
}
