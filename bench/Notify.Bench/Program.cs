using StatusPlatform.Bench;
using System.Diagnostics;
using System.Globalization;
using MassTransit;
using Npgsql;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Bench;
using StatusPlatform.TestSupport;

// One incident fanned out by Notify.Service (a process of its own, Release build for a real run) to N confirmed email
// subscribers through a tight local SMTP sink and to M webhook subscribers on a local Kestrel receiver. Prints
// messages/s and time from publish to the last delivery per channel, and the sink's accept rate from a tight loop
// over kept-open connections as the reference (plus, for comparison with earlier runs, a System.Net.Mail loop with a
// connection per message). Targets: 100,000 emails <= 60 s, 10,000 webhooks <= 10 s.
// System.Net.Mail blocks pool threads inside SendMailAsync; the reference loop must not starve on a 2-core box.
ThreadPool.SetMinThreads(Math.Max(64, Environment.ProcessorCount), Math.Max(64, Environment.ProcessorCount));
var options = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(Options.Usage);
    return 2;
}
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
var ct = cancel.Token;

await using var sink = new SmtpSink();
await using var receiver = await WebhookReceiver.StartAsync();
Console.Error.WriteLine($"SMTP sink on 127.0.0.1:{sink.Port}, webhook receiver on {receiver.BaseUri}");

Console.Error.WriteLine($"reference: tight loop over {options.EmailConcurrency} kept-open connections into the sink, {options.ReferenceSeconds} s ...");
var reference = await SmtpReference.ReusedConnectionsAsync(sink, options.EmailConcurrency, TimeSpan.FromSeconds(options.ReferenceSeconds), ct);
var perMessage = double.NaN;
if (options.PerMessageReferenceSeconds > 0)
{
    Console.Error.WriteLine($"reference: System.Net.Mail loop (a connection per message), {options.EmailConcurrency} at a time, {options.PerMessageReferenceSeconds} s ...");
    perMessage = await SmtpReference.ConnectionPerMessageAsync(sink, options.EmailConcurrency, TimeSpan.FromSeconds(options.PerMessageReferenceSeconds), ct);
}
sink.Reset();

await using var database = await TestDatabase.CreateAsync();
await using var vhost = await TestVirtualHost.CreateAsync();
var logPath = Path.Combine(Path.GetTempPath(), $"sp-bench-notify-{Guid.NewGuid():N}.log");
Console.Error.WriteLine($"database {database.Name}, virtual host {vhost.Name}, Notify.Service log {logPath}");
await using var notify = ServiceProcess.Start("Notify.Service", new Dictionary<string, string>
{
    ["ConnectionStrings__statusdb"] = database.ConnectionString + ";Maximum Pool Size=200",
    ["ConnectionStrings__messaging"] = vhost.AmqpUri.ToString(),
    ["Smtp__Host"] = "127.0.0.1",
    ["Smtp__Port"] = sink.Port.ToString(CultureInfo.InvariantCulture),
    ["Notify__AllowPrivateWebhookTargets"] = "true",
    ["Delivery__Channels__email__Concurrency"] = options.EmailConcurrency.ToString(CultureInfo.InvariantCulture),
    ["Delivery__Channels__webhook__Concurrency"] = options.WebhookConcurrency.ToString(CultureInfo.InvariantCulture),
    ["Delivery__ClaimBatchSize"] = options.ClaimBatchSize.ToString(CultureInfo.InvariantCulture),
    ["Notify__Digest__Enabled"] = options.Digest ? "true" : "false",
}, logPath);
await notify.WaitHealthyAsync(TimeSpan.FromSeconds(60), ct);

Console.Error.WriteLine($"seeding {options.Emails} email and {options.Webhooks} webhook subscribers ...");
await using (var seed = database.DataSource.CreateBatch())
{
    seed.BatchCommands.Add(new NpgsqlBatchCommand("""
        insert into notify.subscribers (email, channel, source, confirmed, confirmed_at, scope)
        select 'bench-' || i || '@example.com', 'email', 'bench', true, now(), 'page' from generate_series(1, $1) as i
        """) { Parameters = { new NpgsqlParameter<int> { TypedValue = options.Emails } } });
    seed.BatchCommands.Add(new NpgsqlBatchCommand("""
        insert into notify.subscribers (endpoint, channel, source, confirmed, confirmed_at, scope, secret)
        select $1 || 'hook/' || i, 'webhook', 'bench', true, now(), 'page', md5(i::text) from generate_series(1, $2) as i
        """) { Parameters = { new NpgsqlParameter<string> { TypedValue = receiver.BaseUri.ToString() }, new NpgsqlParameter<int> { TypedValue = options.Webhooks } } });
    await seed.ExecuteNonQueryAsync(ct);
}

var bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(vhost.AmqpUri));
await bus.StartAsync(ct);
try
{
    var opened = new IncidentOpened($"bench-{Guid.NewGuid():N}"[..16], "Checkout errors", IncidentStatus.Investigating, IncidentImpact.Major,
        "We are investigating reports of **problems** with checkout.", [new AffectedComponent("web", "Website", ComponentStatus.MajorOutage)],
        Automatic: false, DateTimeOffset.UtcNow);
    var cpu = new CpuMeter(notify.Id, database.Name);
    var cpuBefore = cpu.Read();
    var start = Stopwatch.GetTimestamp();
    await bus.Publish(opened, ct);
    Console.Error.WriteLine("published; waiting for the last delivery ...");
    var idle = Stopwatch.StartNew();
    var (lastEmails, lastWebhooks) = (0L, 0L);
    (double Notify, double Postgres, double Bench)? cpuAtFirst = null;
    while ((sink.Received < options.Emails || receiver.Received < options.Webhooks) && idle.Elapsed < TimeSpan.FromSeconds(options.IdleTimeoutSeconds))
    {
        await Task.Delay(250, ct);
        if (cpuAtFirst is null && sink.Received + receiver.Received > 0)
            cpuAtFirst = cpu.Read();
        if (sink.Received != lastEmails || receiver.Received != lastWebhooks)
        {
            (lastEmails, lastWebhooks) = (sink.Received, receiver.Received);
            idle.Restart();
        }
        Console.Error.Write($"\r  emails {sink.Received,7}/{options.Emails}  webhooks {receiver.Received,6}/{options.Webhooks}  {Stopwatch.GetElapsedTime(start).TotalSeconds,6:0.0} s");
    }
    Console.Error.WriteLine();
    var cpuAfter = cpu.Read();

    var emailSeconds = sink.Received == 0 ? double.NaN : Stopwatch.GetElapsedTime(start, sink.LastAtTicks).TotalSeconds;
    var webhookSeconds = receiver.Received == 0 ? double.NaN : Stopwatch.GetElapsedTime(start, receiver.LastAtTicks).TotalSeconds;
    Console.WriteLine($"Notify.Bench ({ServiceProcess.Configuration}), {Environment.ProcessorCount} cores, Delivery:ClaimBatchSize {options.ClaimBatchSize}, "
        + $"email concurrency {options.EmailConcurrency}, digest {(options.Digest ? "on" : "off")}");
    Console.WriteLine($"{"",-34} {"received",10} {"last at (s)",12} {"msg/s",9} {"target",12}");
    Console.WriteLine($"{"email via SMTP sink",-34} {sink.Received,10} {emailSeconds,12:0.0} {sink.Received / emailSeconds,9:0} {"<= 60 s",12} {(emailSeconds <= 60 && sink.Received == options.Emails ? "met" : "NOT met")}");
    Console.WriteLine($"{"webhook to Kestrel receiver",-34} {receiver.Received,10} {webhookSeconds,12:0.0} {receiver.Received / webhookSeconds,9:0} {"<= 10 s",12} {(webhookSeconds <= 10 && receiver.Received == options.Webhooks ? "met" : "NOT met")}");
    Console.WriteLine($"{"reference: kept-open connections",-34} {"",10} {"",12} {reference,9:0}   (sink accept rate, {options.EmailConcurrency} connections, pipelined envelope)");
    if (!double.IsNaN(perMessage))
        Console.WriteLine($"{"reference: connection per message",-34} {"",10} {"",12} {perMessage,9:0}   (System.Net.Mail, {options.EmailConcurrency} at a time; the earlier reference)");
    Console.WriteLine($"email rate / reference: {sink.Received / emailSeconds / reference:0.00}"
        + (double.IsNaN(perMessage) ? "" : $"   (/ connection-per-message reference: {sink.Received / emailSeconds / perMessage:0.00})"));
    Console.WriteLine($"SMTP connections Notify.Service opened: {sink.Connections} ({sink.Received / Math.Max(1.0, sink.Connections):0} messages per connection)");
    Console.WriteLine($"first email at {(sink.Received == 0 ? double.NaN : Stopwatch.GetElapsedTime(start, sink.FirstAtTicks).TotalSeconds):0.0} s, first webhook at "
        + $"{(receiver.Received == 0 ? double.NaN : Stopwatch.GetElapsedTime(start, receiver.FirstAtTicks).TotalSeconds):0.0} s "
        + $"(before them: recording the first step of deliveries, and for email the digest's wait and release)");
    var messages = Math.Max(1, sink.Received + receiver.Received) / 1000.0;
    Console.WriteLine($"CPU s per 1,000 messages (emails and webhooks): Notify.Service {(cpuAfter.Notify - cpuBefore.Notify) / messages:0.00}, "
        + $"PostgreSQL backends of the run {(cpuAfter.Postgres - cpuBefore.Postgres) / messages:0.00}, bench (sink, receiver) {(cpuAfter.Bench - cpuBefore.Bench) / messages:0.00}; "
        + $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
    if (cpuAtFirst is { } first)
    {
        Console.WriteLine($"  of which before the first message (recording the deliveries), CPU s: Notify.Service {first.Notify - cpuBefore.Notify:0.00}, "
            + $"PostgreSQL {first.Postgres - cpuBefore.Postgres:0.00}; after it, per 1,000 messages: Notify.Service {(cpuAfter.Notify - first.Notify) / messages:0.00}, "
            + $"PostgreSQL {(cpuAfter.Postgres - first.Postgres) / messages:0.00}");
    }
    return sink.Received == options.Emails && receiver.Received == options.Webhooks ? 0 : 1;
}
finally
{
    await bus.StopAsync(CancellationToken.None);
}

internal sealed record Options(int Emails, int Webhooks, int EmailConcurrency, int WebhookConcurrency, int ReferenceSeconds, int PerMessageReferenceSeconds,
    int ClaimBatchSize, bool Digest, int IdleTimeoutSeconds)
{
    public const string Usage = """
        dotnet run -c Release --project bench/Notify.Bench [-- options]
          --emails N               confirmed email subscribers (100000)
          --webhooks N             webhook subscribers (10000)
          --email-concurrency N    Delivery:Channels:email:Concurrency and the reference loop's (16)
          --webhook-concurrency N  Delivery:Channels:webhook:Concurrency (64)
          --reference-seconds N    length of the reference loop over kept-open connections (5)
          --per-message-reference-seconds N  length of the System.Net.Mail connection-per-message loop (5; 0 skips it)
          --claim-batch-size N     Delivery:ClaimBatchSize of Notify.Service (20, its default)
          --digest 0|1             Notify:Digest:Enabled (1, the default: email waits Notify:Digest:Wait for a digest pass)
          --idle-timeout N         give up after N s without a delivery (30)
        """;

    public static Options? Parse(string[] args)
    {
        var o = new Options(100_000, 10_000, 16, 64, 5, 5, 20, true, 30);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length || !int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) || n < 0)
                return null;
            o = args[i] switch
            {
                "--emails" => o with { Emails = n },
                "--webhooks" => o with { Webhooks = n },
                "--email-concurrency" => o with { EmailConcurrency = Math.Max(1, n) },
                "--webhook-concurrency" => o with { WebhookConcurrency = Math.Max(1, n) },
                "--reference-seconds" => o with { ReferenceSeconds = Math.Max(1, n) },
                "--per-message-reference-seconds" => o with { PerMessageReferenceSeconds = n },
                "--claim-batch-size" => o with { ClaimBatchSize = Math.Clamp(n, 1, 1000) },
                "--digest" when n <= 1 => o with { Digest = n == 1 },
                "--idle-timeout" => o with { IdleTimeoutSeconds = Math.Max(1, n) },
                _ => null,
            };
            if (o is null)
                return null;
        }
        return o;
    }
}
