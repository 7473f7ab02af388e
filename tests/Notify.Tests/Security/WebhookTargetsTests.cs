using System.Net;
using StatusPlatform.Notify.Security;

namespace StatusPlatform.Notify.Tests.Security;

/// <summary>Which addresses a webhook may reach (SSRF guard). No I/O but for literal addresses.</summary>
public sealed class WebhookTargetsTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.5.6.7")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]   // cloud metadata
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fd00:ec2::254")]     // AWS metadata over IPv6
    [InlineData("fc00::1")]
    [InlineData("::ffff:127.0.0.1")]  // IPv4-mapped loopback
    [InlineData("::ffff:169.254.169.254")]
    public void Internal_addresses_are_refused(string address) => Assert.True(WebhookTargets.IsInternal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("172.32.0.1")]
    [InlineData("8.8.8.8")]
    [InlineData("2606:4700::1111")]
    public void Public_addresses_pass(string address) => Assert.False(WebhookTargets.IsInternal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data/")]
    [InlineData("http://localhost/hook")]
    public async Task A_url_pointing_inwards_is_refused_unless_allowed(string url)
    {
        Assert.Contains("internal address", await WebhookTargets.AddressProblemAsync(new Uri(url), allowPrivate: false, CancellationToken.None));
        Assert.Null(await WebhookTargets.AddressProblemAsync(new Uri(url), allowPrivate: true, CancellationToken.None));
    }

    [Theory]
    [InlineData("ftp://example.com/hook", "http or https")]
    [InlineData("/relative", "http or https")]
    [InlineData("https://user:pw@example.com/hook", "user name")]
    [InlineData("", "required")]
    public void Malformed_urls_are_refused(string url, string problem) => Assert.Contains(problem, WebhookTargets.SyntaxProblem(url));
}
