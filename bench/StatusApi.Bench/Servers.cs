using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace StatusPlatform.StatusApi.Bench;

/// <summary>A server process of the run, on a free loopback port, stopped (SIGTERM, then SIGKILL) when disposed.</summary>
internal abstract class ServerProcess(string name, Process process, int port, string logPath) : IAsyncDisposable
{
    public string Name => name;

    /// <summary>The summary.json address on this server.</summary>
    public Uri SummaryUri { get; } = new($"http://127.0.0.1:{port}/api/v2/summary.json");

    protected Process Process => process;

    /// <summary>A port nothing listens on right now, on 127.0.0.1 only.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public string LogTail(int lines = 20) =>
        File.Exists(logPath) ? string.Join('\n', File.ReadLines(logPath).TakeLast(lines)) : "(no log)";

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            // SIGTERM lets StatusApi stop its bus and nginx's master stop its workers; a SIGKILL would orphan those.
            using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])))
                await kill!.WaitForExitAsync();
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await process.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        process.Dispose();
    }

    protected static Process Start(ProcessStartInfo start, string logPath)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => WriteLine(log, e.Data);
        process.ErrorDataReceived += (_, e) => WriteLine(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.Exited += (_, _) => log.Dispose();
        process.EnableRaisingEvents = true;
        return process;
    }

    private static void WriteLine(StreamWriter log, string? line)
    {
        if (line is null)
            return;
        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>Polls <paramref name="uri"/> until it answers <paramref name="expected"/> or the process dies or a minute passes.</summary>
    protected async Task WaitUntilAnswersAsync(Uri uri, string? expected, CancellationToken ct)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(1))
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{name} exited with code {process.ExitCode}:\n{LogTail()}");
            try
            {
                using var response = await client.GetAsync(uri, ct);
                if (response.IsSuccessStatusCode && (expected is null || await response.Content.ReadAsStringAsync(ct) == expected))
                    return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }
            await Task.Delay(100, ct);
        }
        throw new TimeoutException($"{name} did not answer {uri} within a minute:\n{LogTail()}");
    }
}

/// <summary>StatusApi from its Release build, as its own process, configured only through the environment as in production.</summary>
internal sealed class StatusApiServer : ServerProcess
{
    private StatusApiServer(Process process, int port, string logPath)
        : base("StatusApi", process, port, logPath)
    {
    }

    public static async Task<StatusApiServer> StartAsync(string dll, BenchPage page, string workDirectory, CancellationToken ct)
    {
        var port = FreeLoopbackPort();
        // The working directory is the build output, so StatusApi reads its own appsettings.json (quiet request logging).
        var start = new ProcessStartInfo("dotnet", [dll]) { WorkingDirectory = Path.GetDirectoryName(dll)! };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__statusdb"] = page.ConnectionString;
        start.Environment["ConnectionStrings__messaging"] = page.AmqpUri.ToString();
        // No telemetry export: a collector that is not running would only add retries to the measurement.
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        var logPath = Path.Combine(workDirectory, "statusapi.log");
        var server = new StatusApiServer(Start(start, logPath), port, logPath);
        try
        {
            // Healthy means the page is in memory and the bus, with this replica's event queue, is ready.
            await server.WaitUntilAnswersAsync(new Uri($"http://127.0.0.1:{port}/health"), "Healthy", ct);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }
}

/// <summary>nginx serving the same bytes as a static file, started with a configuration file of its own.</summary>
internal sealed class NginxServer : ServerProcess
{
    private NginxServer(Process process, int port, string logPath)
        : base("nginx", process, port, logPath)
    {
    }

    public string Version { get; private init; } = "";

    public static async Task<NginxServer> StartAsync(byte[] summary, string workDirectory, CancellationToken ct)
    {
        var port = FreeLoopbackPort();
        var prefix = Path.Combine(workDirectory, "nginx");
        var root = Path.Combine(prefix, "www");
        Directory.CreateDirectory(Path.Combine(root, "api", "v2"));
        Directory.CreateDirectory(Path.Combine(prefix, "temp"));
        await File.WriteAllBytesAsync(Path.Combine(root, "api", "v2", "summary.json"), summary, ct);
        // nginx started as root serves through workers running as nobody, which must be able to read the file.
        foreach (var directory in new[] { workDirectory, prefix, root, Path.Combine(root, "api"), Path.Combine(root, "api", "v2") })
        {
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        }
        var conf = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(conf, Config(prefix, root, port), ct);

        var logPath = Path.Combine(prefix, "stderr.log");
        var start = new ProcessStartInfo("nginx", ["-p", prefix, "-c", conf, "-e", Path.Combine(prefix, "error.log")]);
        var server = new NginxServer(Start(start, logPath), port, logPath) { Version = await VersionAsync(ct) };
        try
        {
            await server.WaitUntilAnswersAsync(server.SummaryUri, null, ct);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    // As fast as nginx serves a small static file: sendfile, no access log, a worker per core, and keep-alive
    // connections that are never closed after N requests (Kestrel does not close them either). The headers match
    // StatusApi's: JSON with charset, ETag, a five-second public Cache-Control.
    private static string Config(string prefix, string root, int port) => $$"""
        daemon off;
        worker_processes auto;
        pid {{prefix}}/nginx.pid;
        error_log {{prefix}}/error.log warn;
        events { worker_connections 4096; }
        http {
            access_log off;
            client_body_temp_path {{prefix}}/temp/client;
            proxy_temp_path {{prefix}}/temp/proxy;
            fastcgi_temp_path {{prefix}}/temp/fastcgi;
            uwsgi_temp_path {{prefix}}/temp/uwsgi;
            scgi_temp_path {{prefix}}/temp/scgi;
            sendfile on;
            tcp_nopush on;
            tcp_nodelay on;
            keepalive_timeout 65;
            keepalive_requests 100000000;
            types { application/json json; }
            default_type application/json;
            charset utf-8;
            charset_types application/json;
            server {
                listen 127.0.0.1:{{port}};
                root {{root}};
                etag on;
                add_header Cache-Control "public, max-age=5";
            }
        }
        """;

    private static async Task<string> VersionAsync(CancellationToken ct)
    {
        using var process = Process.Start(new ProcessStartInfo("nginx", ["-v"]) { RedirectStandardError = true })!;
        var version = await process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return version.Trim().Replace("nginx version: ", "", StringComparison.Ordinal);
    }
}
