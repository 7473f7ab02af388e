using System.ComponentModel;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using StatusPlatform.Contracts;

namespace StatusPlatform.Probe.Checks;

/// <summary>
/// One ICMP echo to the target's first address. On Linux, .NET sends it over a raw socket when the process may open
/// one (root, or the CAP_NET_RAW capability); otherwise it runs the system's ping utility (iputils-ping, which Debian
/// installs with cap_net_raw) and reads its output. .NET does not use the unprivileged ICMP sockets that
/// net.ipv4.ping_group_range allows. Without a raw socket or the utility the check is Down with a reason that says so.
/// </summary>
public sealed class IcmpCheck(TimeProvider time)
{
    public async Task<CheckResult> RunAsync(MonitorDefinition monitor, CancellationToken cancellationToken)
    {
        var clock = new CheckClock(time);
        var host = monitor.Target.Trim();
        var timeoutSpan = TimeSpan.FromSeconds(monitor.TimeoutSeconds);
        using var timeout = new CancellationTokenSource(timeoutSpan, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var address = (await Network.ResolveAsync(host, clock, linked.Token))[0];
            clock.Enter(CheckPhase.Waiting);
            using var ping = new Ping();
            // No payload of our own: the ping utility fallback refuses custom payloads when it runs unprivileged.
            var reply = await ping.SendPingAsync(address, timeoutSpan, buffer: null, options: null, linked.Token);
            return reply.Status switch
            {
                IPStatus.Success => CheckResult.UpUnlessSlow(clock, monitor.Check?.DegradedAfterMs),
                IPStatus.TimedOut => CheckResult.Down(clock, FailureKind.Timeout, $"Timeout: no ICMP echo reply from {host} within {monitor.TimeoutSeconds} s"),
                var status => CheckResult.Down(clock, FailureKind.Connection, $"ICMP: {status} for {host}"),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return CheckResult.Down(clock, FailureKind.Timeout, clock.Phase == CheckPhase.Dns
                ? Network.TimeoutReason(CheckPhase.Dns, host, 0, monitor.TimeoutSeconds)
                : $"Timeout: no ICMP echo reply from {host} within {monitor.TimeoutSeconds} s");
        }
        catch (SocketException) when (clock.Phase == CheckPhase.Dns)
        {
            return CheckResult.Down(clock, FailureKind.Dns, $"DNS: cannot resolve {host}");
        }
        catch (Exception e) when (e is PingException or PlatformNotSupportedException or Win32Exception or SocketException)
        {
            return CheckResult.Down(clock, FailureKind.Connection,
                $"ICMP ping is not possible on this probe ({Network.Innermost(e).Message}): it needs root or CAP_NET_RAW, or the ping utility");
        }
    }
}
