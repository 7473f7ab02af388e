using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace StatusPlatform.Faults.Fixtures;

/// <summary>A message as MailDev received it: recipient, subject and the Message-ID the sender gave it.</summary>
public sealed record ReceivedMail(string To, string Subject, string MessageId);

/// <summary>
/// A MailDev of the test's own (tools/maildev, the one scripts/infra.sh runs on 1025/1080) on free ports: a real SMTP
/// server whose inbox holds only this test's mail, so it can be counted without filtering the shared one.
/// </summary>
public sealed class PrivateMailDev : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly HttpClient _http;

    private PrivateMailDev(Process process, int smtpPort, int webPort)
    {
        _process = process;
        SmtpPort = smtpPort;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{webPort}/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int SmtpPort { get; }

    public static async Task<PrivateMailDev> StartAsync()
    {
        var directory = Path.Combine(TestSupport.RepositoryPaths.Root, "tools", "maildev");
        var executable = Path.Combine(directory, "node_modules", ".bin", "maildev");
        if (!File.Exists(executable))
            throw new FileNotFoundException("MailDev is not installed; run scripts/infra.sh up (it runs npm ci in tools/maildev).", executable);
        var (smtp, web) = (FreePort(), FreePort());
        var info = new ProcessStartInfo("node", [executable, "--smtp", $"{smtp}", "--ip", "127.0.0.1", "--web", $"{web}", "--web-ip", "127.0.0.1"])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // MailDev also writes each message below $TMPDIR/maildev: a folder of its own, removed at the end.
        info.Environment["TMPDIR"] = Directory.CreateTempSubdirectory("sp-faults-maildev-").FullName;
        var process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        var mailDev = new PrivateMailDev(process, smtp, web);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) mailDev._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) mailDev._output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await CheckStream.Until(async () =>
            {
                if (process.HasExited)
                    throw new InvalidOperationException($"MailDev exited with {process.ExitCode}: {string.Join('\n', mailDev._output)}");
                using var health = await mailDev._http.GetAsync(new Uri("api/email", UriKind.Relative));
                return health.IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(60), "the private MailDev");
            return mailDev;
        }
        catch
        {
            await mailDev.DisposeAsync();
            throw;
        }
    }

    /// <summary>Every message received so far.</summary>
    public async Task<IReadOnlyList<ReceivedMail>> MailAsync()
    {
        var all = await _http.GetFromJsonAsync<JsonElement>(new Uri("api/email", UriKind.Relative));
        return [.. all.EnumerateArray().SelectMany(m => m.GetProperty("to").EnumerateArray().Select(to => new ReceivedMail(
            to.GetProperty("address").GetString()!.ToLowerInvariant(), m.GetProperty("subject").GetString() ?? "",
            m.GetProperty("headers").TryGetProperty("message-id", out var id) ? id.GetString() ?? "" : "")))];
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        if (_process.StartInfo.Environment.TryGetValue("TMPDIR", out var tmp) && tmp is not null)
            Directory.Delete(tmp, recursive: true);
        _process.Dispose();
        _http.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
