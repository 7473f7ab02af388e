using Microsoft.Extensions.Logging.Abstractions;
using StatusPlatform.EventSourcing;
using StatusPlatform.EventSourcing.Bench;
using StatusPlatform.EventSourcing.Schema;
using StatusPlatform.EventSourcing.Sequencing;

var options = BenchOptions.Parse(args, out var error);
if (options is null)
{
    (error is null ? Console.Out : Console.Error).WriteLine(error is null ? BenchOptions.Usage : $"{error}\n\n{BenchOptions.Usage}");
    return error is null ? 0 : 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // let the run unwind, so the database is dropped
    cancel.Cancel();
};
var ct = cancel.Token;
var startedAt = TimeProvider.System.GetUtcNow();

var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__statusdb")
    ?? "Host=127.0.0.1;Port=5432;Database=statusplatform;Username=statusplatform;Password=statusplatform";
await using var database = await BenchDatabase.CreateAsync(connectionString, ct);
Console.Error.WriteLine($"database {database.Name}");

var storeOptions = new EventStoreOptions().Register();
if (options.SequencerIntervalMs is { } intervalMs)
    storeOptions.SequencerInterval = TimeSpan.FromMilliseconds(intervalMs);
var store = new EventStore(database.DataSource, storeOptions);
await EventStoreSchema.MigrateAsync(database.DataSource, storeOptions, ct);
var reference = new RawInsertReference(database.DataSource, storeOptions);
await reference.CreateTableAsync(ct);

using var sequencer = new Sequencer(store, NullLogger<Sequencer>.Instance);
await sequencer.StartAsync(ct);
try
{
    while (!sequencer.IsLeader)
        await Task.Delay(10, ct);

    IReadOnlyList<WriteOnce> Writers(Func<int, WriteOnce> writer) => [.. Enumerable.Range(0, options.Writers).Select(writer)];
    var single = new ThroughputScenario("append, 1 event", sequenced: true, Writers(w => Throughput.EventStoreAppends(store, "single", w, 1)));
    var raw1 = new ThroughputScenario("raw insert, 1 row", sequenced: false, Writers(w => reference.Inserts(w, 1)));
    var batch = new ThroughputScenario("append, 10 events", sequenced: true, Writers(w => Throughput.EventStoreAppends(store, "batch", w, 10)));
    var raw10 = new ThroughputScenario("raw insert, 10 rows", sequenced: false, Writers(w => reference.Inserts(w, 10)));
    ThroughputScenario[] turns = [single, raw1, batch, raw10];

    var watch = new SequencerWatch(store);
    async Task SettleAsync(ThroughputScenario scenario, long written)
    {
        if (scenario.Sequenced)
            await watch.CatchUpAsync(scenario.Name, written, ct);
    }

    Console.Error.WriteLine("warming up ...");
    foreach (var scenario in turns)
        await SettleAsync(scenario, await scenario.WarmUpAsync(options.Warmup, ct));
    for (var round = 1; round <= options.Rounds; round++)
    {
        Console.Error.WriteLine($"round {round}/{options.Rounds} ...");
        foreach (var scenario in turns)
            await SettleAsync(scenario, await scenario.MeasureAsync(options.Slice, ct));
    }

    Console.Error.WriteLine($"running sequencer lag at {options.LagRate} events/s ...");
    var lag = await new SequencerLagProbe(store).RunAsync(options.Writers, options.LagRate, options.Warmup, options.Duration, ct);

    var (dataBytes, metadataBytes) = Payloads.JsonBytes(storeOptions);
    var results = new BenchResults(startedAt, await database.ReadServerFactsAsync(ct), options,
        storeOptions.SequencerInterval.TotalMilliseconds, dataBytes, metadataBytes,
        Report.Rows(single, batch, raw1, raw10, lag), watch.Worst, lag);
    Report.Print(Console.Out, results);
    if (options.JsonPath is { } path)
        await Report.WriteJsonAsync(path, results, ct);
    return 0;
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}
finally
{
    await sequencer.StopAsync(CancellationToken.None);
}
