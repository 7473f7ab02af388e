using System.Net;
using System.Net.Sockets;
using StatusPlatform.Contracts;

namespace StatusPlatform.Probe.Checks;

/// <summary>
/// A name resolves, through the platform resolver (System.Net.Dns: /etc/hosts, then the system's DNS servers), and
/// optionally to every expected address. The platform resolver cannot ask a given server or for a given record type
/// (MX, TXT, ...); that needs a DNS client library, and DnsClient is not on the package mirror.
/// </summary>
public sealed class DnsCheck(TimeProvider time)
{
    public async Task<CheckResult> RunAsync(MonitorDefinition monitor, CancellationToken cancellationToken)
    {
        var clock = new CheckClock(time);
        var host = monitor.Target.Trim();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(monitor.TimeoutSeconds), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        IPAddress[] addresses;
        try
        {
            var started = clock.Enter(CheckPhase.Dns);
            addresses = await Dns.GetHostAddressesAsync(host, linked.Token);
            clock.Completed(CheckPhase.Dns, started);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return CheckResult.Down(clock, FailureKind.Timeout, Network.TimeoutReason(CheckPhase.Dns, host, 0, monitor.TimeoutSeconds));
        }
        catch (SocketException e)
        {
            return CheckResult.Down(clock, FailureKind.Dns, $"DNS: cannot resolve {host} ({e.SocketErrorCode})");
        }
        if (addresses.Length == 0)
            return CheckResult.Down(clock, FailureKind.Dns, $"DNS: {host} has no addresses");

        var expected = (monitor.Check?.ExpectedAddresses ?? []).Select(IPAddress.Parse).ToList();
        var missing = expected.Where(address => !addresses.Contains(address)).ToList();
        return missing.Count == 0
            ? CheckResult.UpUnlessSlow(clock, monitor.Check?.DegradedAfterMs)
            : CheckResult.Down(clock, FailureKind.Assertion,
                $"DNS: {host} resolved to {string.Join(", ", addresses.Select(a => a.ToString()))}; expected {string.Join(", ", missing)} is missing");
    }
}
