using System.Net;
using System.Text.RegularExpressions;
using StatusPlatform.Notify.Deliveries;

namespace StatusPlatform.Notify.Channels;

/// <summary>
/// Open SMTP sessions to the configured server, reused message after message: a session costs a TCP connect, a
/// greeting and an EHLO, several round trips that a connection per message paid for every email. At most
/// <see cref="MaxConnections"/> are open (each send holds one), a connection is closed after
/// <see cref="SmtpOptions.MaxMessagesPerConnection"/> messages or <see cref="SmtpOptions.ConnectionIdleTimeout"/> idle,
/// and one that broke is replaced by a new one.
/// </summary>
public sealed partial class SmtpConnectionPool : IAsyncDisposable
{
    private readonly SmtpOptions _options;
    private readonly TimeProvider _clock;
    private readonly SemaphoreSlim _slots;
    private readonly LinkedList<SmtpConnection> _idle = new();
    private readonly ITimer _pruning;
    private readonly string _clientName = ClientName();
    private int _opened;
    private bool _disposed;

    public SmtpConnectionPool(SmtpOptions options, int maxConnections, TimeProvider clock)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConnections, 1);
        _options = options;
        _clock = clock;
        MaxConnections = maxConnections;
        _slots = new SemaphoreSlim(maxConnections, maxConnections);
        _pruning = clock.CreateTimer(_ => _ = PruneAsync(), null, options.ConnectionIdleTimeout, options.ConnectionIdleTimeout);
    }

    public int MaxConnections { get; }

    /// <summary>Connections opened so far (a connection per message would make this the number of messages).</summary>
    public int Opened => Volatile.Read(ref _opened);

    /// <summary>
    /// Sends one message over a pooled connection and returns the server's reply to it. Throws
    /// <see cref="SmtpSessionException"/> when the server refuses it or the connection breaks mid-message.
    /// </summary>
    public async Task<SmtpReply> SendAsync(string from, string to, ReadOnlyMemory<byte> message, Action? afterEnd, CancellationToken ct)
    {
        var fresh = false;
        while (true)
        {
            var (connection, reused) = await RentAsync(fresh, ct);
            try
            {
                return await connection.SendAsync(from, to, message, afterEnd, ct);
            }
            catch (SmtpSessionException e) when (reused && e.BeforeMessage && e.ConnectionLost)
            {
                // The server closed a connection while it waited here (its idle timeout, a restart, its own limit of
                // messages per session): no byte of this message was sent, so sending it over a new connection
                // cannot double it. Only once, and only over a new connection: a second failure is the server's.
                fresh = true;
            }
            finally
            {
                await ReturnAsync(connection);
            }
        }
    }

    private async Task<(SmtpConnection Connection, bool Reused)> RentAsync(bool fresh, CancellationToken ct)
    {
        await _slots.WaitAsync(ct);
        try
        {
            while (!fresh && TakeIdle() is { } idle)
            {
                if (_clock.GetElapsedTime(idle.IdleSince) < _options.ConnectionIdleTimeout)
                    return (idle, true);
                await idle.DisposeAsync();
            }
            var connection = await SmtpConnection.OpenAsync(_options.Host, _options.Port, _clientName, _options.Timeout, ct);
            Interlocked.Increment(ref _opened);
            return (connection, false);
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    private SmtpConnection? TakeIdle()
    {
        lock (_idle)
        {
            // The most recently used first: it is the least likely to have been closed by the server meanwhile.
            if (_idle.Last is not { } last)
                return null;
            _idle.RemoveLast();
            return last.Value;
        }
    }

    private async Task ReturnAsync(SmtpConnection connection)
    {
        try
        {
            if (connection.IsUsable && connection.MessagesSent < _options.MaxMessagesPerConnection)
            {
                connection.IdleSince = _clock.GetTimestamp();
                lock (_idle)
                {
                    if (!_disposed)
                    {
                        _idle.AddLast(connection);
                        return;
                    }
                }
            }
            await connection.DisposeAsync();
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Closes (QUIT) the connections idle longer than the idle timeout, so none lingers after a fan-out.</summary>
    private async Task PruneAsync()
    {
        var expired = new List<SmtpConnection>();
        lock (_idle)
        {
            // Oldest first: the list is in the order connections came back.
            while (_idle.First is { } first && _clock.GetElapsedTime(first.Value.IdleSince) >= _options.ConnectionIdleTimeout)
            {
                _idle.RemoveFirst();
                expired.Add(first.Value);
            }
        }
        foreach (var connection in expired)
            await connection.DisposeAsync();
    }

    /// <summary>The name EHLO gives: the host name if it is a valid domain, else a literal that always is.</summary>
    private static string ClientName()
    {
        var name = Dns.GetHostName();
        return DomainName().IsMatch(name) ? name : "[127.0.0.1]";
    }

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")]
    private static partial Regex DomainName();

    /// <summary>Says QUIT on every idle connection; connections in use are closed when they come back.</summary>
    public async ValueTask DisposeAsync()
    {
        await _pruning.DisposeAsync();
        List<SmtpConnection> idle;
        lock (_idle)
        {
            _disposed = true;
            idle = [.. _idle];
            _idle.Clear();
        }
        foreach (var connection in idle)
            await connection.DisposeAsync();
    }
}
