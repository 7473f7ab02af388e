using StatusPlatform.Bench;
using System.Diagnostics;
using System.Globalization;
using MassTransit;
using StatusPlatform.Contracts;
using StatusPlatform.Ingestion.Bench;
using StatusPlatform.TestSupport;

// CheckCompleted results published through RabbitMQ into Incident.Service (a process of its own, Release build for a
// real run, own database and virtual host) and folded (a row in checks.results, the region's fold state, the monitor's
// health) for N monitors, against the same messages published and consumed by MassTransit doing nothing, in the same
// run. Targets: >= 5,000 results/s and >= 50 % of the raw rate.
var options = BenchOptions.Parse(args, out var error);
if (options is null)
{
    (error is null ? Console.Out : Console.Error).WriteLine(error is null ? BenchOptions.Usage : $"{error}\n\n{BenchOptions.Usage}");
    return error is null ? 0 : 2;
}
if (ServiceProcess.Configuration != "Release")
    Console.Error.WriteLine("warning: not a Release build; run with -c Release for figures worth comparing");
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // unwind, so the service stops and the database and virtual hosts are dropped
    cancel.Cancel();
};
var ct = cancel.Token;
var workDirectory = Directory.CreateTempSubdirectory("ingestion-bench-").FullName;
try
{
    // 1. The reference: the same messages through a virtual host of its own, consumed by a consumer that only counts.
    Measurement reference;
    await using (var rawHost = await TestVirtualHost.CreateAsync())
    {
        var consumerBus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(rawHost.AmqpUri);
            rabbit.ReceiveEndpoint("ingestion-bench-raw", endpoint => endpoint.Consumer<CountingConsumer>());
        });
        var rawPublisher = CreatePublisher(rawHost.AmqpUri);
        await consumerBus.StartAsync(ct);
        await rawPublisher.StartAsync(ct);
        try
        {
            // Warms up both ends (connections, serializers, the exchange-to-queue binding) unmeasured.
            var warmup = Math.Min(options.Monitors, options.Results);
            await Publisher.PublishAsync(rawPublisher, 0, warmup, options.Monitors, DateTimeOffset.UtcNow, options.Publishers, ct);
            await Measure.UntilAsync(() => Task.FromResult(CountingConsumer.Received), warmup, 10, options.StallSeconds, ct);
            Console.Error.WriteLine($"reference: {options.Results} results published and consumed by MassTransit doing nothing ...");
            reference = await Measure.RunAsync(rawPublisher, () => Task.FromResult(CountingConsumer.Received - warmup), options, 10, ct);
        }
        finally
        {
            await rawPublisher.StopAsync(CancellationToken.None);
            await consumerBus.StopAsync(CancellationToken.None);
        }
    }

    // 2. Incident.Service with N monitors, on a database and virtual host of its own.
    await using var database = await TestDatabase.CreateAsync();
    await using var vhost = await TestVirtualHost.CreateAsync();
    var logPath = Path.Combine(workDirectory, "incident-service.log");
    Console.Error.WriteLine($"database {database.Name}, virtual host {vhost.Name}, Incident.Service log {logPath}");
    await using var service = ServiceProcess.Start("Incident.Service", new Dictionary<string, string>
    {
        ["ConnectionStrings__statusdb"] = database.ConnectionString,
        ["ConnectionStrings__messaging"] = vhost.AmqpUri.ToString(),
        ["StatusPlatform__ConfigFile"] = BenchCatalog.WriteConfigFile(options.Monitors, workDirectory),
    }, logPath);
    Console.Error.WriteLine($"Incident.Service pid {service.Id}: waiting until it is healthy and has {options.Monitors} monitors ...");
    await service.WaitHealthyAsync(TimeSpan.FromSeconds(120), ct);
    var publisher = CreatePublisher(vhost.AmqpUri);
    await publisher.StartAsync(ct);
    try
    {
        await Eventually.Until(async () =>
        {
            var client = publisher.CreateRequestClient<GetMonitorCatalog>(RequestTimeout.After(s: 10));
            var catalog = await client.GetResponse<MonitorCatalog>(new GetMonitorCatalog("ingestion-bench", "local"), ct);
            return catalog.Message.Monitors.Count == options.Monitors;
        }, TimeSpan.FromSeconds(180), $"Incident.Service's catalog to hold {options.Monitors} monitors");

        async Task<long> FoldedAsync()
        {
            await using var command = database.DataSource.CreateCommand("select count(*) from checks.results");
            return (long)(await command.ExecuteScalarAsync(ct))!;
        }
        // The first result of a monitor also records its health (a read of its stream); later ones are the steady path.
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        Console.Error.WriteLine($"warm-up: one result per monitor ...");
        await Publisher.PublishAsync(publisher, 0, options.Monitors, options.Monitors, start, options.Publishers, ct);
        await Measure.UntilAsync(FoldedAsync, options.Monitors, 100, options.StallSeconds, ct);
        await Task.Delay(TimeSpan.FromSeconds(options.IdleSeconds), ct);
        var idle = service.Memory();

        Console.Error.WriteLine($"Incident.Service: {options.Results} results through the broker into the fold ...");
        long peakRss = 0;
        var ingestion = await Measure.RunAsync(publisher, async () =>
        {
            peakRss = Math.Max(peakRss, service.Memory().Rss);
            return await FoldedAsync() - options.Monitors;
        }, options, 100, ct, firstIndex: options.Monitors, start: start);

        // Read after the run: the management API lists a consumer only after its next statistics round (seconds).
        var prefetch = await Management.PrefetchAsync(vhost.Name, "check-completed", ct);
        var results = new IngestionResults(DateTimeOffset.UtcNow, Machine.Describe(), options, reference, ingestion, idle.Rss, peakRss, prefetch);
        var pass = Report.Print(Console.Out, results);
        if (options.JsonPath is { } path)
            await Report.WriteJsonAsync(path, results, ct);
        return pass ? 0 : 1;
    }
    finally
    {
        await publisher.StopAsync(CancellationToken.None);
    }
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}
finally
{
    Directory.Delete(workDirectory, recursive: true);
}

// Publisher confirms on, as ServiceDefaults configures every service's bus.
static IBusControl CreatePublisher(Uri amqp) =>
    Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(amqp, host => host.PublisherConfirmation = true));

internal static class Machine
{
    public static string Describe()
    {
        var load = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
        return string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessorCount} cores, load average {load} at the end");
    }
}

/// <summary>One measured run: how long the consumer took to take in all results and at what rate.</summary>
internal sealed record Measurement(long Results, double Seconds, double PublishSeconds, double SteadySeconds, bool Complete)
{
    public double Rate => Results / Seconds;

    public double PublishRate => Results / PublishSeconds;

    /// <summary>The rate between 20 % and 80 % of the results: without the start-up of the publishers and the tail.</summary>
    public double SteadyRate => 0.6 * Results / SteadySeconds;
}

internal static class Measure
{
    /// <summary>Publishes results [firstIndex, firstIndex + Results) while polling <paramref name="consumed"/> until it reaches them all.</summary>
    public static async Task<Measurement> RunAsync(IBus bus, Func<Task<long>> consumed, BenchOptions options, int pollMs, CancellationToken ct,
        int firstIndex = 0, DateTimeOffset? start = null)
    {
        var clock = Stopwatch.StartNew();
        var publishing = Publisher.PublishAsync(bus, firstIndex, firstIndex + options.Results, options.Monitors, start ?? DateTimeOffset.UtcNow, options.Publishers, ct);
        var publishSeconds = double.NaN;
        _ = publishing.ContinueWith(_ => publishSeconds = clock.Elapsed.TotalSeconds, ct, TaskContinuationOptions.None, TaskScheduler.Default);
        var (reached, seconds, at20, at80) = await UntilAsync(consumed, options.Results, pollMs, options.StallSeconds, ct, clock);
        await publishing;
        if (double.IsNaN(publishSeconds))
            publishSeconds = clock.Elapsed.TotalSeconds;
        return new Measurement(reached, seconds, publishSeconds, at80 - at20, reached >= options.Results);
    }

    /// <summary>Polls until <paramref name="count"/> reaches <paramref name="target"/> or stalls; the time it got there, and when it passed 20 % and 80 %.</summary>
    public static async Task<(long Reached, double Seconds, double At20, double At80)> UntilAsync(Func<Task<long>> count, long target, int pollMs, int stallSeconds,
        CancellationToken ct, Stopwatch? clock = null)
    {
        clock ??= Stopwatch.StartNew();
        var (last, lastChange, at20, at80) = (0L, clock.Elapsed.TotalSeconds, double.NaN, double.NaN);
        while (true)
        {
            var now = await count();
            var t = clock.Elapsed.TotalSeconds;
            if (double.IsNaN(at20) && now >= 0.2 * target)
                at20 = t;
            if (double.IsNaN(at80) && now >= 0.8 * target)
                at80 = t;
            if (now >= target)
                return (now, t, at20, at80);
            if (now != last)
                (last, lastChange) = (now, t);
            else if (t - lastChange > stallSeconds)
            {
                Console.Error.WriteLine($"  stalled at {now} of {target} for {stallSeconds} s");
                return (now, lastChange, at20, at80);
            }
            Console.Error.Write($"\r  {now,8}/{target}  {t,6:0.0} s");
            await Task.Delay(pollMs, ct);
        }
    }
}
