using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace StatusPlatform.Probe.Bench;

/// <summary>One request as nginx logged it: when it arrived ($msec, wall clock, ms resolution) and for which path.</summary>
internal readonly record struct Arrival(DateTimeOffset At, string Path);

/// <summary>
/// The Debian nginx, run in the foreground with a config of its own on a free loopback port, answering 200 "ok" to any
/// path and logging each request with its arrival time. Everything lives in a temporary folder removed at the end.
/// </summary>
internal sealed class NginxTarget : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private NginxTarget(Process process, string folder, int port)
    {
        (_process, _folder, Port) = (process, folder, port);
    }

    public int Port { get; }

    public string AccessLog => Path.Combine(_folder, "access.log");

    public Uri Url(string path) => new($"http://127.0.0.1:{Port}{path}");

    public static async Task<NginxTarget> StartAsync(string binary = "/usr/sbin/nginx")
    {
        if (!File.Exists(binary))
            throw new InvalidOperationException($"{binary} not found: install it with `apt-get install nginx`.");
        var folder = Directory.CreateTempSubdirectory("sp-bench-nginx-").FullName;
        var port = FreePort();
        // $msec is the arrival time (when nginx read the request's first bytes) to the millisecond; a 1 s flush keeps
        // logging off the request path while the run goes on.
        await File.WriteAllTextAsync(Path.Combine(folder, "nginx.conf"), $$"""
            daemon off;
            master_process on;
            worker_processes auto;
            worker_rlimit_nofile 65536;
            pid {{folder}}/nginx.pid;
            error_log {{folder}}/error.log warn;
            events { worker_connections 16384; }
            http {
                log_format arrival '$msec $request_uri $status';
                access_log {{folder}}/access.log arrival buffer=256k flush=1s;
                client_body_temp_path {{folder}}/body;
                proxy_temp_path {{folder}}/proxy;
                fastcgi_temp_path {{folder}}/fastcgi;
                uwsgi_temp_path {{folder}}/uwsgi;
                scgi_temp_path {{folder}}/scgi;
                server {
                    listen 127.0.0.1:{{port}} backlog=4096;
                    default_type text/plain;
                    location / { return 200 "ok\n"; }
                }
            }
            """);
        var info = new ProcessStartInfo(binary, ["-p", folder, "-c", Path.Combine(folder, "nginx.conf")])
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException("nginx did not start.");
        var target = new NginxTarget(process, folder, port);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                (await client.GetAsync(target.Url("/ready"))).EnsureSuccessStatusCode();
                return target;
            }
            catch (HttpRequestException) when (attempt < 50 && !process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (Exception e)
            {
                var errors = File.Exists(Path.Combine(folder, "error.log")) ? await File.ReadAllTextAsync(Path.Combine(folder, "error.log")) : "";
                await target.DisposeAsync();
                throw new InvalidOperationException($"nginx did not answer on port {port}: {e.Message} {errors}", e);
            }
        }
    }

    /// <summary>Every request logged so far whose path starts with <paramref name="prefix"/>; waits out the log's 1 s flush first.</summary>
    public async Task<List<Arrival>> ReadAsync(string prefix, CancellationToken ct)
    {
        await Task.Delay(TimeSpan.FromSeconds(1.5), ct);
        var arrivals = new List<Arrival>();
        await using var stream = new FileStream(AccessLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            var parts = line.Split(' ');
            if (parts.Length < 2 || !parts[1].StartsWith(prefix, StringComparison.Ordinal))
                continue;
            var ms = (long)Math.Round(double.Parse(parts[0], CultureInfo.InvariantCulture) * 1000);
            arrivals.Add(new Arrival(DateTimeOffset.FromUnixTimeMilliseconds(ms), parts[1]));
        }
        return arrivals;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGQUIT is nginx's graceful stop; Kill (SIGKILL) only if it does not go.
            using (var quit = Process.Start(new ProcessStartInfo("kill", ["-QUIT", _process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
                await quit!.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
