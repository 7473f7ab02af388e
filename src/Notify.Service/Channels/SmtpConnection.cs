using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace StatusPlatform.Notify.Channels;

/// <summary>Where in an SMTP session a reply or a failure came, in the order a message goes through them.</summary>
public enum SmtpStage
{
    Connect,
    Greeting,
    Hello,
    MailFrom,
    RcptTo,
    Data,
    Message,
}

/// <summary>One SMTP reply: its code and its text (the lines of a multi-line reply without their codes).</summary>
public sealed record SmtpReply(int Code, IReadOnlyList<string> Lines)
{
    public bool Positive => Code is >= 200 and < 400;

    public override string ToString() => $"{Code} {string.Join(" ", Lines)}".TrimEnd();
}

/// <summary>
/// A failed SMTP exchange. <see cref="Permanent"/>: a 5xx reply, which will not change on retry; 4xx replies and lost
/// connections are transient. <see cref="BeforeMessage"/>: it failed before any of the message body was sent, so the
/// server cannot have accepted the message and sending it again cannot double it.
/// </summary>
public sealed class SmtpSessionException(SmtpStage stage, string message, SmtpReply? reply = null, Exception? inner = null) : Exception(message, inner)
{
    public SmtpStage Stage => stage;

    public SmtpReply? Reply => reply;

    public bool Permanent => reply?.Code is >= 500 and < 600;

    public bool BeforeMessage => stage < SmtpStage.Message;

    /// <summary>The session is over: an I/O error, a timeout, or 421 (the server is closing the channel).</summary>
    public bool ConnectionLost => reply is null || reply.Code == 421;
}

/// <summary>
/// One SMTP session (RFC 5321) that sends many messages: greeting and EHLO once, then per message MAIL FROM, RCPT TO
/// and DATA (in one write when the server offers PIPELINING, RFC 2920), RSET after a refused message, QUIT when
/// disposed. Not thread-safe: one message at a time, which <see cref="SmtpConnectionPool"/> guarantees. A connection
/// that failed in a way that leaves the session's state unknown is no longer <see cref="IsUsable"/>.
/// </summary>
public sealed class SmtpConnection : IAsyncDisposable
{
    private static readonly TimeSpan QuitTimeout = TimeSpan.FromSeconds(2);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly string _endpoint;
    private readonly TimeSpan _timeout;
    private readonly byte[] _input = new byte[4096];
    private int _start;
    private int _end;
    private SmtpStage _stage;

    private SmtpConnection(Socket socket, string endpoint, TimeSpan timeout)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _endpoint = endpoint;
        _timeout = timeout;
    }

    public bool Pipelining { get; private set; }

    public bool IsUsable { get; private set; } = true;

    /// <summary>Messages the server accepted over this connection.</summary>
    public int MessagesSent { get; private set; }

    /// <summary>When the connection went back to its pool (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long IdleSince { get; set; }

    /// <summary>
    /// Connects, reads the greeting and introduces itself with EHLO (HELO for a server that does not know EHLO), all
    /// within <paramref name="timeout"/>.
    /// </summary>
    public static async Task<SmtpConnection> OpenAsync(string host, int port, string clientName, TimeSpan timeout, CancellationToken ct)
    {
        var endpoint = $"{host}:{port}";
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(host, port, deadline.Token);
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            socket.Dispose();
            throw new SmtpSessionException(SmtpStage.Connect, e is SocketException
                ? $"Failure sending mail. Cannot connect to {endpoint}."
                : $"Failure sending mail. Connecting to {endpoint} took longer than {timeout.TotalSeconds:0.#} s.", inner: e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new SmtpConnection(socket, endpoint, timeout);
        try
        {
            await connection.GuardAsync(() => connection.HelloAsync(clientName, deadline.Token), ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Sends one message (already MIME, CRLF line ends; dot-stuffed here) to one recipient; returns the server's
    /// reply to the end of the data (the queue id, for the record). A refused message throws <see cref="SmtpSessionException"/>
    /// after a RSET, and the connection stays usable; a lost connection throws and is not.
    /// </summary>
    /// <remarks>
    /// <paramref name="afterEnd"/> is called as soon as the message with its closing "." is written, before the server's
    /// reply is read (see <see cref="IChannelSender.SendAsync"/>).
    /// </remarks>
    public async Task<SmtpReply> SendAsync(string from, string to, ReadOnlyMemory<byte> message, Action? afterEnd, CancellationToken ct)
    {
        if (!IsUsable)
            throw new InvalidOperationException("This SMTP connection is closed or in an unknown state.");
        // Checked before anything is written: a refusal here must not leave a half-sent transaction behind.
        var data = DotStuff(message.Span);
        var envelope = $"MAIL FROM:<{Path(from)}>\r\nRCPT TO:<{Path(to)}>\r\n";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_timeout);
        return await GuardAsync(() => TransactAsync(envelope, data, afterEnd, deadline.Token), ct);
    }

    private async Task<SmtpReply> TransactAsync(string envelope, byte[] data, Action? afterEnd, CancellationToken ct)
    {
        _stage = SmtpStage.MailFrom;
        SmtpReply mail, rcpt, dataReply;
        if (Pipelining)
        {
            // One write and one round trip for the envelope; the replies come back in order (RFC 2920 3.1).
            await WriteAsync(envelope + "DATA\r\n", ct);
            mail = await ReadReplyAsync(ct);
            _stage = SmtpStage.RcptTo;
            rcpt = await ReadReplyAsync(ct);
            _stage = SmtpStage.Data;
            dataReply = await ReadReplyAsync(ct);
        }
        else
        {
            var lines = envelope.Split("\r\n");
            mail = await CommandAsync(lines[0], ct);
            if (mail.Code != 250)
                return await RefusedAsync(SmtpStage.MailFrom, mail, inDataMode: false, ct);
            _stage = SmtpStage.RcptTo;
            rcpt = await CommandAsync(lines[1], ct);
            if (rcpt.Code is not (250 or 251))
                return await RefusedAsync(SmtpStage.RcptTo, rcpt, inDataMode: false, ct);
            _stage = SmtpStage.Data;
            dataReply = await CommandAsync("DATA", ct);
        }
        var inDataMode = dataReply.Code == 354;
        if (mail.Code != 250)
            return await RefusedAsync(SmtpStage.MailFrom, mail, inDataMode, ct);
        if (rcpt.Code is not (250 or 251))
            return await RefusedAsync(SmtpStage.RcptTo, rcpt, inDataMode, ct);
        if (!inDataMode)
            return await RefusedAsync(SmtpStage.Data, dataReply, inDataMode, ct);

        _stage = SmtpStage.Message;
        await _stream.WriteAsync(data, ct);
        afterEnd?.Invoke();
        var accepted = await ReadReplyAsync(ct);
        if (accepted.Code / 100 != 2)
            return await RefusedAsync(SmtpStage.Message, accepted, inDataMode: false, ct);
        MessagesSent++;
        return accepted;
    }

    /// <summary>Ends a refused transaction so the next message starts clean, then throws the refusal.</summary>
    private async Task<SmtpReply> RefusedAsync(SmtpStage stage, SmtpReply reply, bool inDataMode, CancellationToken ct)
    {
        var failure = new SmtpSessionException(stage, $"Failure sending mail. The SMTP server {_endpoint} answered {Command(stage)} with {reply}.", reply);
        if (reply.Code == 421 || inDataMode)
        {
            // 421: the server is closing. In data mode after a refused envelope (a server that breaks RFC 2920), only
            // "." would end it, and that could send an empty message: dropping the connection abandons it instead.
            IsUsable = false;
            throw failure;
        }
        try
        {
            if ((await CommandAsync("RSET", ct)).Code != 250)
                IsUsable = false;
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            IsUsable = false;
        }
        throw failure;
    }

    private async Task HelloAsync(string clientName, CancellationToken ct)
    {
        _stage = SmtpStage.Greeting;
        var greeting = await ReadReplyAsync(ct);
        if (greeting.Code != 220)
            throw Refused(SmtpStage.Greeting, greeting);
        _stage = SmtpStage.Hello;
        var ehlo = await CommandAsync($"EHLO {clientName}", ct);
        if (ehlo.Code == 250)
        {
            Pipelining = ehlo.Lines.Skip(1).Any(l => l.Equals("PIPELINING", StringComparison.OrdinalIgnoreCase)
                || l.StartsWith("PIPELINING ", StringComparison.OrdinalIgnoreCase));
            return;
        }
        if (ehlo.Code is not (500 or 502))
            throw Refused(SmtpStage.Hello, ehlo);
        var helo = await CommandAsync($"HELO {clientName}", ct);
        if (helo.Code != 250)
            throw Refused(SmtpStage.Hello, helo);
    }

    private SmtpSessionException Refused(SmtpStage stage, SmtpReply reply)
    {
        IsUsable = false;
        return new SmtpSessionException(stage, $"Failure sending mail. The SMTP server {_endpoint} answered {Command(stage)} with {reply}.", reply);
    }

    /// <summary>Turns what breaks a session (I/O, our own timeout) into a transient <see cref="SmtpSessionException"/> and retires the connection.</summary>
    private async Task<T> GuardAsync<T>(Func<Task<T>> exchange, CancellationToken callerToken)
    {
        try
        {
            return await exchange();
        }
        catch (Exception e) when (e is IOException or SocketException || (e is OperationCanceledException && !callerToken.IsCancellationRequested))
        {
            IsUsable = false;
            throw new SmtpSessionException(_stage, e is OperationCanceledException
                ? $"Failure sending mail. The SMTP server {_endpoint} did not answer {Command(_stage)} within {_timeout.TotalSeconds:0.#} s."
                : $"Failure sending mail. The connection to {_endpoint} was lost at {Command(_stage)}.", inner: e);
        }
        catch (OperationCanceledException)
        {
            // The caller gave up mid-exchange: the session's state is unknown.
            IsUsable = false;
            throw;
        }
    }

    private async Task GuardAsync(Func<Task> exchange, CancellationToken callerToken) =>
        await GuardAsync(async () =>
        {
            await exchange();
            return 0;
        }, callerToken);

    private static string Command(SmtpStage stage) => stage switch
    {
        SmtpStage.Connect => "the connection",
        SmtpStage.Greeting => "the greeting",
        SmtpStage.Hello => "EHLO",
        SmtpStage.MailFrom => "MAIL FROM",
        SmtpStage.RcptTo => "RCPT TO",
        SmtpStage.Data => "DATA",
        _ => "the end of the message",
    };

    private async Task<SmtpReply> CommandAsync(string command, CancellationToken ct)
    {
        await WriteAsync(command + "\r\n", ct);
        return await ReadReplyAsync(ct);
    }

    private async Task WriteAsync(string text, CancellationToken ct) => await _stream.WriteAsync(Encoding.ASCII.GetBytes(text), ct);

    /// <summary>Reads one reply, every line of a multi-line one ("250-..." up to "250 ...").</summary>
    private async Task<SmtpReply> ReadReplyAsync(CancellationToken ct)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync(ct);
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), System.Globalization.NumberStyles.None, null, out var code)
                || code is < 200 or > 599 || (line.Length > 3 && line[3] is not (' ' or '-')))
                throw new IOException($"Not an SMTP reply: '{line}'.");
            lines.Add(line.Length > 4 ? line[4..] : "");
            if (line.Length == 3 || line[3] == ' ')
                return new SmtpReply(code, lines);
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            var newline = Array.IndexOf(_input, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var line = Encoding.Latin1.GetString(_input, _start, newline - _start).TrimEnd('\r');
                _start = newline + 1;
                return line;
            }
            if (_start > 0)
            {
                Buffer.BlockCopy(_input, _start, _input, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _input.Length)
                throw new IOException($"An SMTP reply line longer than {_input.Length} bytes.");
            var read = await _stream.ReadAsync(_input.AsMemory(_end), ct);
            if (read == 0)
                throw new IOException("The SMTP server closed the connection.");
            _end += read;
        }
    }

    /// <summary>A reverse- or forward-path: ASCII without the characters that would end the command or the path.</summary>
    private static string Path(string address)
    {
        foreach (var c in address)
        {
            if (c is <= ' ' or > '~' or '<' or '>')
                throw new ArgumentException($"'{address}' cannot be an SMTP path.", nameof(address));
        }
        return address;
    }

    /// <summary>
    /// RFC 5321 4.5.2: a line that starts with "." gets another one; then CRLF "." CRLF ends the data. A bare CR or LF is
    /// refused: some servers would read "LF . LF" as the end (SMTP smuggling), others would not.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // every byte of every mail; see EmailMime.QuotedPrintable
    public static byte[] DotStuff(ReadOnlySpan<byte> message)
    {
        var dots = 0;
        var lineStart = true;
        for (var i = 0; i < message.Length; i++)
        {
            var b = message[i];
            if (b == '\r' && (i + 1 == message.Length || message[i + 1] != '\n'))
                throw new ArgumentException("The message holds a CR that does not start a CRLF.", nameof(message));
            if (b == '\n' && (i == 0 || message[i - 1] != '\r'))
                throw new ArgumentException("The message holds an LF that does not end a CRLF.", nameof(message));
            if (lineStart && b == '.')
                dots++;
            lineStart = b == '\n';
        }
        var endsWithLine = message.Length == 0 || message.EndsWith("\r\n"u8);
        var stuffed = new byte[message.Length + dots + (endsWithLine ? 0 : 2) + 3];
        var at = 0;
        lineStart = true;
        foreach (var b in message)
        {
            if (lineStart && b == '.')
                stuffed[at++] = (byte)'.';
            stuffed[at++] = b;
            lineStart = b == '\n';
        }
        if (!endsWithLine)
        {
            stuffed[at++] = (byte)'\r';
            stuffed[at++] = (byte)'\n';
        }
        ".\r\n"u8.CopyTo(stuffed.AsSpan(at));
        return stuffed;
    }

    /// <summary>QUIT if the session is still in a known state, then closes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        if (IsUsable)
        {
            IsUsable = false;
            try
            {
                using var deadline = new CancellationTokenSource(QuitTimeout);
                await WriteAsync("QUIT\r\n", deadline.Token);
                await ReadReplyAsync(deadline.Token);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                // The server may already have gone (its idle timeout): closing is all that is left to do.
            }
        }
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
