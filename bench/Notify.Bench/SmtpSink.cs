using System.Net;
using System.Net.Sockets;
using System.Text;

namespace StatusPlatform.Notify.Bench;

/// <summary>
/// A tight SMTP server on loopback that accepts every message and counts it (MailDev stores each one and parses it,
/// which would measure MailDev). It speaks what System.Net.Mail and Notify.Service send: EHLO/HELO, MAIL, RCPT, DATA,
/// RSET, NOOP, QUIT, and offers PIPELINING (RFC 2920) as Postfix and MailDev do.
/// </summary>
internal sealed class SmtpSink : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _received;
    private long _connections;
    private long _lastAtTicks;
    private long _firstAtTicks;

    public SmtpSink()
    {
        _listener.Start(1024);
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public long Received => Interlocked.Read(ref _received);

    /// <summary>When the last message was accepted (Stopwatch ticks).</summary>
    public long LastAtTicks => Interlocked.Read(ref _lastAtTicks);

    /// <summary>When the first message after the last <see cref="Reset"/> was accepted (Stopwatch ticks).</summary>
    public long FirstAtTicks => Interlocked.Read(ref _firstAtTicks);

    /// <summary>Connections accepted since the last <see cref="Reset"/>.</summary>
    public long Connections => Interlocked.Read(ref _connections);

    public void Reset()
    {
        Interlocked.Exchange(ref _received, 0);
        Interlocked.Exchange(ref _connections, 0);
        Interlocked.Exchange(ref _firstAtTicks, 0);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        socket.NoDelay = true;
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = false };
        try
        {
            await writer.WriteLineAsync("220 sink ESMTP");
            await writer.FlushAsync();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-sink");
                        await writer.WriteLineAsync("250-8BITMIME");
                        await writer.WriteLineAsync("250-PIPELINING");
                        await writer.WriteLineAsync("250 SMTPUTF8");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 go ahead");
                        await writer.FlushAsync();
                        while (await reader.ReadLineAsync(_stop.Token) is { } data && data != ".")
                        {
                        }
                        var now = System.Diagnostics.Stopwatch.GetTimestamp();
                        if (Interlocked.Increment(ref _received) == 1)
                            Interlocked.Exchange(ref _firstAtTicks, now);
                        Interlocked.Exchange(ref _lastAtTicks, now);
                        await writer.WriteLineAsync("250 accepted");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 bye");
                        await writer.FlushAsync();
                        return;
                    default:
                        await writer.WriteLineAsync("250 ok"); // HELO, MAIL, RCPT, RSET, NOOP
                        break;
                }
                // Pipelined commands arrive together; answer them together.
                if (!stream.DataAvailable)
                    await writer.FlushAsync();
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
