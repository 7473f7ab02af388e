using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace StatusPlatform.Probe.Checks;

/// <summary>
/// The steps every network check shares, each timed on the check's clock: resolve with the platform resolver, connect a
/// socket of our own, and shake hands with an SslStream of our own, so that each phase has its own time and its own reason.
/// </summary>
public static class Network
{
    public static async Task<IPAddress[]> ResolveAsync(string host, CheckClock clock, CancellationToken cancellationToken)
    {
        // An address needs no lookup; its DNS phase did not happen and stays null.
        if (IPAddress.TryParse(host, out var address))
            return [address];
        var started = clock.Enter(CheckPhase.Dns);
        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
        clock.Completed(CheckPhase.Dns, started);
        return addresses.Length > 0 ? addresses : throw new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>Tries the addresses in the resolver's order and returns the first connected socket.</summary>
    public static async Task<Socket> ConnectAsync(IReadOnlyList<IPAddress> addresses, int port, CheckClock clock, CancellationToken cancellationToken)
    {
        var started = clock.Enter(CheckPhase.Connect);
        for (var i = 0; ; i++)
        {
            var socket = new Socket(addresses[i].AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(addresses[i], port), cancellationToken);
                clock.Completed(CheckPhase.Connect, started);
                return socket;
            }
            catch (SocketException) when (i < addresses.Count - 1)
            {
                // "localhost" is ::1 and 127.0.0.1; a server on one of them is up.
                socket.Dispose();
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// A TLS handshake that records the certificate in <paramref name="facts"/> whatever the outcome. With
    /// <paramref name="verify"/> off any certificate is accepted. Revocation is not checked (the SslStream default):
    /// fetching CRLs on every check would time the CA's servers, not the target's.
    /// </summary>
    public static async Task<SslStream> HandshakeAsync(Stream connection, string host, bool verify, TlsFacts facts, CheckClock clock, CancellationToken cancellationToken)
    {
        var started = clock.Enter(CheckPhase.Tls);
        var tls = new SslStream(connection, leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) => facts.Record(certificate, chain, errors) || !verify,
            }, cancellationToken);
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }
        clock.Completed(CheckPhase.Tls, started);
        return tls;
    }

    /// <summary>Parses host:port ([::1]:443 for IPv6); without a port, <paramref name="defaultPort"/> or an error.</summary>
    public static bool TryParseEndpoint(string target, int? defaultPort, out string host, out int port)
    {
        (host, port) = ("", 0);
        if (!Uri.TryCreate("tcp://" + target.Trim(), UriKind.Absolute, out var uri)
            || uri.UserInfo.Length > 0 || uri.PathAndQuery != "/" || uri.Fragment.Length > 0 || target.TrimEnd().EndsWith('/')
            || Uri.CheckHostName(uri.IdnHost) == UriHostNameType.Unknown)
            return false;
        (host, port) = (uri.IdnHost, uri.Port == -1 ? defaultPort ?? 0 : uri.Port);
        return port is >= 1 and <= 65535;
    }

    /// <summary>The reason for a check that ran out of time, naming the phase it was in.</summary>
    public static string TimeoutReason(CheckPhase phase, string host, int port, int timeoutSeconds, int? statusCode = null) => phase switch
    {
        CheckPhase.Dns => $"Timeout: DNS lookup of {host} did not finish within {timeoutSeconds} s",
        CheckPhase.Connect => $"Timeout: no connection to {host}:{port} within {timeoutSeconds} s",
        CheckPhase.Tls => $"Timeout: TLS handshake with {host} did not finish within {timeoutSeconds} s",
        CheckPhase.Reading when statusCode is not null => $"Timeout: HTTP {statusCode} arrived but the body did not complete within {timeoutSeconds} s",
        _ => $"Timeout: no response within {timeoutSeconds} s",
    };

    /// <summary>
    /// Names the layer that failed while resolving, connecting or shaking hands, from the phase the check was in; null
    /// for a failure after the connection was up, which the caller classifies.
    /// </summary>
    public static (FailureKind Kind, string Reason)? Describe(CheckPhase phase, Exception e, string host, int port, TlsFacts? tls, DateTimeOffset now)
    {
        var socketError = Find<SocketException>(e)?.SocketErrorCode;
        return phase switch
        {
            CheckPhase.Dns => (FailureKind.Dns, $"DNS: cannot resolve {host}"),
            CheckPhase.Connect when socketError is SocketError.ConnectionRefused => (FailureKind.Refused, $"Connection refused by {host}:{port}"),
            CheckPhase.Connect => (FailureKind.Connection, $"Connection to {host}:{port} failed: {(socketError is { } error ? error.ToString() : Innermost(e).Message)}"),
            CheckPhase.Tls => (FailureKind.Tls, $"TLS handshake with {host} failed: {tls?.Problem(host, now) ?? Innermost(e).Message}"),
            _ => null,
        };
    }

    public static T? Find<T>(Exception e) where T : Exception
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is T match)
                return match;
        }
        return null;
    }

    public static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);
}
