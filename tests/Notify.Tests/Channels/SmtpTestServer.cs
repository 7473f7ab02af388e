using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace StatusPlatform.Notify.Tests.Channels;

/// <summary>A message as the test server took it: the envelope, the data with the dot-stuffing undone, and its connection.</summary>
public sealed record ReceivedMessage(int Connection, string From, string To, string Data);

/// <summary>
/// A tiny SMTP server on loopback for the client tests: counts connections, keeps every accepted message, and can
/// misbehave on cue (refuse recipients by their local part, drop the connection after a number of messages or in the
/// middle of one).
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<ReceivedMessage> _messages = new();
    private readonly ConcurrentQueue<string> _commands = new();
    private readonly Task _accepting;
    private int _connections;
    private int _quits;

    public SmtpTestServer(bool pipelining = true)
    {
        Pipelining = pipelining;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public bool Pipelining { get; }

    /// <summary>Close the connection (no 421, as a crashing or impatient server does) right after accepting this many messages on it.</summary>
    public int? DropAfterMessages { get; set; }

    /// <summary>Close the connection after reading the first body line of a message to this recipient.</summary>
    public string? DropDuringDataOf { get; set; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Connections => Volatile.Read(ref _connections);

    public int Quits => Volatile.Read(ref _quits);

    /// <summary>Awaited before the reply to each end of data (the message is already in <see cref="Messages"/>).</summary>
    public Task HoldEndOfDataReply { get; set; } = Task.CompletedTask;


    public IReadOnlyList<ReceivedMessage> Messages => [.. _messages];

    /// <summary>Every command line in arrival order (across connections).</summary>
    public IReadOnlyList<string> Commands => [.. _commands];

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            var connection = Interlocked.Increment(ref _connections);
            _ = Task.Run(() => ServeAsync(socket, connection));
        }
    }

    private async Task ServeAsync(Socket socket, int connection)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        using var reader = new StreamReader(stream, Encoding.Latin1);
        var accepted = 0;
        try
        {
            await ReplyAsync(stream, "220 test ESMTP");
            string? from = null;
            string? to = null;
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                _commands.Enqueue(line);
                var verb = line.Split(' ', ':')[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await ReplyAsync(stream, Pipelining ? "250-test\r\n250-8BITMIME\r\n250 PIPELINING" : "250-test\r\n250 8BITMIME");
                        break;
                    case "MAIL":
                        from = Path(line);
                        await ReplyAsync(stream, from.StartsWith("refused", StringComparison.Ordinal) ? "553 5.7.1 sender refused" : "250 ok");
                        break;
                    case "RCPT":
                        to = Path(line);
                        var rcpt = to.StartsWith("unknown", StringComparison.Ordinal) ? "550 5.1.1 no such user"
                            : to.StartsWith("later", StringComparison.Ordinal) ? "451 4.3.0 try again later" : "250 ok";
                        if (!rcpt.StartsWith('2'))
                            to = null;
                        await ReplyAsync(stream, rcpt);
                        break;
                    case "DATA":
                        if (from is null || to is null)
                        {
                            await ReplyAsync(stream, "554 5.5.1 no valid recipients");
                            break;
                        }
                        await ReplyAsync(stream, "354 go ahead");
                        var data = new StringBuilder();
                        string? body;
                        while ((body = await reader.ReadLineAsync(_stop.Token)) is not null && body != ".")
                        {
                            if (to == DropDuringDataOf)
                                return;
                            // RFC 5321 4.5.2: the receiver removes the first of a line's leading dots.
                            data.Append(body.StartsWith('.') ? body[1..] : body).Append("\r\n");
                        }
                        if (body is null)
                        {
                            // The client went away before the end of the data: like any server, throw the message away.
                            return;
                        }
                        _messages.Enqueue(new ReceivedMessage(connection, from, to, data.ToString()));
                        (from, to) = (null, null);
                        await HoldEndOfDataReply;
                        await ReplyAsync(stream, $"250 2.0.0 queued as {connection}-{++accepted}");
                        if (accepted == DropAfterMessages)
                            return;
                        break;
                    case "RSET":
                        (from, to) = (null, null);
                        await ReplyAsync(stream, "250 ok");
                        break;
                    case "QUIT":
                        Interlocked.Increment(ref _quits);
                        await ReplyAsync(stream, "221 bye");
                        return;
                    default:
                        await ReplyAsync(stream, "502 5.5.2 not implemented");
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
        }
    }

    private static string Path(string command) => command[(command.IndexOf('<', StringComparison.Ordinal) + 1)..command.IndexOf('>', StringComparison.Ordinal)];

    private static async Task ReplyAsync(NetworkStream stream, string reply) => await stream.WriteAsync(Encoding.ASCII.GetBytes(reply + "\r\n"));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
