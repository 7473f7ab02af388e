using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace StatusPlatform.Storm.Bench;

/// <summary>
/// The reference: nginx serving the bytes StatusApi served, as static files, with StatusApi.Bench's configuration (sendfile,
/// no access log, a worker per core, keep-alive never closed by count, the same Content-Type, an ETag and the same
/// Cache-Control). Each set of bytes lives under a prefix of its own: <c>/&lt;set&gt;/api/v2/&lt;endpoint&gt;</c>.
/// </summary>
internal sealed class NginxReference : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _prefix;
    private readonly int _port;

    private NginxReference(Process process, string prefix, int port) => (_process, _prefix, _port) = (process, prefix, port);

    public Uri Address(string set, string endpoint) => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{_port}/{set}/api/v2/{endpoint}"));

    public static async Task<NginxReference> StartAsync(IReadOnlyDictionary<(string Set, string Endpoint), byte[]> files, string workDirectory, CancellationToken ct)
    {
        if (!File.Exists("/usr/sbin/nginx"))
            throw new InvalidOperationException("/usr/sbin/nginx not found: install it with `apt-get install nginx-light`.");
        var prefix = Path.Combine(workDirectory, "nginx");
        var root = Path.Combine(prefix, "www");
        Directory.CreateDirectory(Path.Combine(prefix, "temp"));
        foreach (var ((set, endpoint), bytes) in files)
        {
            var path = Path.Combine(root, set, "api", "v2", endpoint);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, bytes, ct);
        }
        // nginx started as root serves through workers running as nobody, which must be able to read the files.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(workDirectory, (UnixFileMode)0b111_101_101);
            foreach (var directory in Directory.EnumerateDirectories(prefix, "*", SearchOption.AllDirectories).Append(prefix))
                File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        }
        var port = FreePort();
        var conf = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(conf, $$"""
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
            """, ct);
        var start = new ProcessStartInfo("/usr/sbin/nginx", ["-p", prefix, "-c", conf, "-e", Path.Combine(prefix, "error.log")])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var nginx = new NginxReference(Process.Start(start) ?? throw new InvalidOperationException("nginx did not start."), prefix, port);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var ((set, endpoint), expected) = files.First();
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    if ((await http.GetByteArrayAsync(nginx.Address(set, endpoint), ct)).AsSpan().SequenceEqual(expected))
                        return nginx;
                    throw new InvalidOperationException("nginx answered with other bytes than it was given.");
                }
                catch (HttpRequestException) when (attempt < 50 && !nginx._process.HasExited)
                {
                    await Task.Delay(100, ct);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var errors = File.Exists(Path.Combine(prefix, "error.log")) ? await File.ReadAllTextAsync(Path.Combine(prefix, "error.log"), CancellationToken.None) : "";
            await nginx.DisposeAsync();
            throw new InvalidOperationException($"nginx did not serve the reference on port {port}: {e.Message} {errors}", e);
        }
    }

    public static string Version()
    {
        using var process = Process.Start(new ProcessStartInfo("/usr/sbin/nginx", ["-v"]) { RedirectStandardError = true, UseShellExecute = false })!;
        var version = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return version.Trim().Replace("nginx version: ", "", StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGQUIT is nginx's graceful stop (the master stops its workers); a SIGKILL would orphan them.
            using (var quit = Process.Start(new ProcessStartInfo("kill", ["-QUIT", _process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
                await quit!.WaitForExitAsync();
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
        Directory.Delete(_prefix, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
