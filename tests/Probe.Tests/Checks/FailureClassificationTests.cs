using System.Net.Sockets;
using System.Security.Authentication;
using StatusPlatform.Contracts;
using StatusPlatform.Probe.Checks;

namespace StatusPlatform.Probe.Tests.Checks;

public sealed class FailureClassificationTests
{
    private static readonly Uri Target = new("https://status.example.org:8443/health");

    [Fact]
    public void A_name_that_does_not_resolve_is_a_dns_failure_naming_the_host()
    {
        var (kind, reason) = HttpCheck.Classify(new HttpRequestException(HttpRequestError.NameResolutionError, "Name or service not known",
            new SocketException((int)SocketError.HostNotFound)), Target);

        Assert.Equal(FailureKind.Dns, kind);
        Assert.Equal("DNS: cannot resolve status.example.org", reason);
    }

    [Fact]
    public void A_refused_connection_names_host_and_port()
    {
        var (kind, reason) = HttpCheck.Classify(new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused",
            new SocketException((int)SocketError.ConnectionRefused)), Target);

        Assert.Equal(FailureKind.Refused, kind);
        Assert.Equal("Connection refused by status.example.org:8443", reason);
    }

    [Fact]
    public void An_unreachable_network_is_a_connection_failure_with_the_socket_error()
    {
        var (kind, reason) = HttpCheck.Classify(new HttpRequestException(HttpRequestError.ConnectionError, "unreachable",
            new SocketException((int)SocketError.NetworkUnreachable)), Target);

        Assert.Equal(FailureKind.Connection, kind);
        Assert.Contains("NetworkUnreachable", reason);
    }

    [Fact]
    public void A_failed_handshake_is_a_tls_failure_with_the_handshake_error()
    {
        var (kind, reason) = HttpCheck.Classify(new HttpRequestException(HttpRequestError.SecureConnectionError, "SSL failed",
            new AuthenticationException("The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot")), Target);

        Assert.Equal(FailureKind.Tls, kind);
        Assert.StartsWith("TLS handshake with status.example.org failed: The remote certificate is invalid", reason);
    }

    [Theory]
    [InlineData(new[] { 200 }, 200, true)]
    [InlineData(new[] { 200 }, 204, false)]
    [InlineData(new[] { 301, 302 }, 302, true)]
    [InlineData(new int[0], 299, true)]
    [InlineData(new int[0], 300, false)]
    [InlineData(new int[0], 503, false)]
    public void A_status_is_up_when_listed_or_any_2xx_when_the_list_is_empty(int[] expected, int status, bool up) =>
        Assert.Equal(up, HttpCheck.IsExpected(new MonitorDefinition("m", "c", "http", "http://x/", "GET", 1, 1, expected), status));
}
