using System.Net;
using System.Net.Sockets;

namespace StatusPlatform.Notify.Security;

/// <summary>
/// Keeps webhook and chat deliveries away from the inside of the network (SSRF): loopback, private, link-local (the
/// cloud metadata service lives at 169.254.169.254 and fd00:ec2::254), carrier-grade NAT, multicast and unspecified
/// addresses are refused unless Notify:AllowPrivateWebhookTargets is set. Checked when subscribing and again at every
/// connection, after DNS resolution, so a name that later resolves inward (DNS rebinding) is refused too.
/// </summary>
public static class WebhookTargets
{
    /// <summary>What is wrong with <paramref name="url"/> as a webhook target, ignoring where it resolves; null if nothing.</summary>
    public static string? SyntaxProblem(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
            return "A URL is required.";
        if (url.Length > 2000)
            return "The URL is longer than 2000 characters.";
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            return "Must be an absolute http or https URL.";
        if (uri.UserInfo.Length > 0)
            return "Must not carry a user name or password.";
        return null;
    }

    /// <summary>Resolves the URL's host and says why it may not be called, or null when it may.</summary>
    public static async Task<string?> AddressProblemAsync(Uri uri, bool allowPrivate, CancellationToken ct)
    {
        if (allowPrivate)
            return null;
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(uri.IdnHost, ct);
        }
        catch (SocketException)
        {
            return $"The host {uri.IdnHost} does not resolve.";
        }
        return addresses.Length == 0 ? $"The host {uri.IdnHost} does not resolve."
            : addresses.FirstOrDefault(IsInternal) is { } inward ? $"The host {uri.IdnHost} resolves to {inward}, an internal address; webhooks must go to a public address."
            : null;
    }

    /// <summary>True for addresses a webhook must not reach.</summary>
    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
            return true;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] is 0 or 10 or 127 or >= 224                 // this network, private, loopback, multicast and reserved
                || (b[0] == 169 && b[1] == 254)                       // link-local, cloud metadata
                || (b[0] == 172 && (b[1] & 0xF0) == 16)               // private
                || (b[0] == 192 && b[1] == 168)                       // private
                || (b[0] == 100 && (b[1] & 0xC0) == 64)               // carrier-grade NAT
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)            // IETF protocol assignments
                || (b[0] == 198 && (b[1] & 0xFE) == 18);              // benchmarking
        }
        var v6 = address.GetAddressBytes();
        return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
            || (v6[0] & 0xFE) == 0xFC                                 // unique local (fc00::/7), incl. fd00:ec2::254
            || (address.IsIPv6Teredo)
            || (v6[0] == 0x20 && v6[1] == 0x02);                      // 6to4 can wrap any IPv4 address
    }
}

/// <summary>A delivery target refused at connection time; never retried.</summary>
public sealed class BlockedTargetException(string message) : Exception(message);
