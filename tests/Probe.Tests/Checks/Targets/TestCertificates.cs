using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;

namespace StatusPlatform.Probe.Tests.Checks.Targets;

/// <summary>
/// Server certificates made with the openssl command line (Debian package openssl) in a temporary folder, for localhost and
/// 127.0.0.1: valid for 30 days, valid for 5 more days, and expired in 2024 (openssl ca, which can set past dates).
/// All self-signed, so no machine trusts them.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private const string CaConfig = """
        [ca]
        default_ca = test
        [test]
        database = index.txt
        new_certs_dir = .
        serial = serial
        default_md = sha256
        policy = any
        x509_extensions = leaf
        unique_subject = no
        [any]
        commonName = supplied
        [leaf]
        subjectAltName = DNS:localhost,IP:127.0.0.1
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("statusplatform-certs-").FullName;

    public TestCertificates()
    {
        try
        {
            Valid = SelfSigned("valid", days: 30);
            ExpiringSoon = SelfSigned("expiring", days: 5);
            File.WriteAllText(Path.Combine(_folder, "ca.cnf"), CaConfig);
            File.WriteAllText(Path.Combine(_folder, "index.txt"), "");
            OpenSsl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "expired.key", "-out", "expired.csr", "-subj", "/CN=localhost");
            OpenSsl("ca", "-batch", "-config", "ca.cnf", "-selfsign", "-keyfile", "expired.key", "-in", "expired.csr", "-out", "expired.pem",
                "-startdate", "20240101000000Z", "-enddate", "20240201000000Z", "-notext", "-rand_serial");
            Expired = Load("expired");
        }
        catch
        {
            // xunit does not dispose a fixture whose constructor threw.
            Directory.Delete(_folder, recursive: true);
            throw;
        }
    }

    public X509Certificate2 Valid { get; }

    public X509Certificate2 ExpiringSoon { get; }

    public X509Certificate2 Expired { get; }

    public void Dispose()
    {
        Valid.Dispose();
        ExpiringSoon.Dispose();
        Expired.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private X509Certificate2 SelfSigned(string name, int days)
    {
        OpenSsl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", $"{name}.key", "-out", $"{name}.pem",
            "-days", days.ToString(System.Globalization.CultureInfo.InvariantCulture), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        return Load(name);
    }

    private X509Certificate2 Load(string name) =>
        X509Certificate2.CreateFromPemFile(Path.Combine(_folder, $"{name}.pem"), Path.Combine(_folder, $"{name}.key"));

    private void OpenSsl(params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl") { WorkingDirectory = _folder, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start (apt-get install openssl)");
        var errors = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"openssl {string.Join(' ', arguments)} failed: {errors}");
    }
}
