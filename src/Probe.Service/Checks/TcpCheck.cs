using System.Net.Sockets;
using StatusPlatform.Contracts;

namespace StatusPlatform.Probe.Checks;

/// <summary>A TCP connect to host:port: up when the connection is accepted; nothing is sent.</summary>
public sealed class TcpCheck(TimeProvider time)
{
    public async Task<CheckResult> RunAsync(MonitorDefinition monitor, CancellationToken cancellationToken)
    {
        var clock = new CheckClock(time);
        if (!Network.TryParseEndpoint(monitor.Target, null, out var host, out var port))
            return CheckResult.Down(clock, FailureKind.Connection, $"'{monitor.Target}' is not host:port");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(monitor.TimeoutSeconds), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var addresses = await Network.ResolveAsync(host, clock, linked.Token);
            using var socket = await Network.ConnectAsync(addresses, port, clock, linked.Token);
            return CheckResult.UpUnlessSlow(clock, monitor.Check?.DegradedAfterMs);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return CheckResult.Down(clock, FailureKind.Timeout, Network.TimeoutReason(clock.Phase, host, port, monitor.TimeoutSeconds));
        }
        catch (SocketException e)
        {
            var (kind, reason) = Network.Describe(clock.Phase, e, host, port, null, clock.Now)!.Value;
            return CheckResult.Down(clock, kind, reason);
        }
    }
}
