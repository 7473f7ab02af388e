using System.Net.Sockets;
using System.Security.Authentication;
using StatusPlatform.Contracts;

namespace StatusPlatform.Probe.Checks;

/// <summary>
/// The certificate a TLS server at host:port presents: expired, not yet valid or (with verification on) untrusted or
/// for another name is Down; fewer days left than the monitor's threshold is Degraded. The handshake accepts any
/// certificate so that the check can say what is wrong with it rather than only that the handshake failed.
/// </summary>
public sealed class TlsCheck(TimeProvider time)
{
    public const int DefaultPort = 443;

    public async Task<CheckResult> RunAsync(MonitorDefinition monitor, CancellationToken cancellationToken)
    {
        var clock = new CheckClock(time);
        var settings = monitor.Check ?? CheckSettings.Default;
        if (!Network.TryParseEndpoint(monitor.Target, DefaultPort, out var host, out var port))
            return CheckResult.Down(clock, FailureKind.Connection, $"'{monitor.Target}' is not host:port");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(monitor.TimeoutSeconds), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var facts = new TlsFacts();
        try
        {
            var addresses = await Network.ResolveAsync(host, clock, linked.Token);
            var socket = await Network.ConnectAsync(addresses, port, clock, linked.Token);
            await using var tls = await Network.HandshakeAsync(new NetworkStream(socket, ownsSocket: true), host, verify: false, facts, clock, linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return CheckResult.Down(clock, FailureKind.Timeout, Network.TimeoutReason(clock.Phase, host, port, monitor.TimeoutSeconds));
        }
        catch (Exception e) when (e is SocketException or AuthenticationException or IOException)
        {
            var (kind, reason) = Network.Describe(clock.Phase, e, host, port, facts, clock.Now)!.Value;
            return CheckResult.Down(clock, kind, reason);
        }

        var now = clock.Now;
        if (facts.Problem(host, now, trustMatters: settings.VerifyTls) is { } problem)
            return CheckResult.Down(clock, FailureKind.Tls, $"TLS {host}:{port}: {problem}");
        var daysLeft = facts.DaysLeft(now);
        return daysLeft < settings.CertificateMinDaysLeft
            ? new CheckResult(clock.StartedAt, CheckOutcome.Degraded, null, null,
                $"Certificate of {host}:{port} expires in {daysLeft} days, on {TlsFacts.Date(facts.NotAfter)}, below the {settings.CertificateMinDaysLeft}-day threshold",
                clock.Timings())
            : CheckResult.Up(clock);
    }
}
