using Microsoft.Extensions.Configuration;

namespace StatusPlatform.Probe.Tests;

public sealed class ProbeOptionsTests
{
    private static ProbeOptions From(params (string Key, string Value)[] settings) =>
        ProbeOptions.From(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build());

    [Fact]
    public void Without_settings_a_probe_runs_in_region_local_named_after_its_machine_and_process()
    {
        var options = From();

        Assert.Equal("local", options.Region);
        Assert.Equal($"{Environment.MachineName}-{Environment.ProcessId}", options.InstanceId);
        Assert.Equal(TimeSpan.FromMinutes(5), options.CatalogRefreshInterval);
    }

    [Fact]
    public void Settings_under_Probe_override_the_defaults()
    {
        var options = From(("Probe:Region", "eu-west"), ("Probe:InstanceId", "probe-a"), ("Probe:CatalogRefreshInterval", "00:01:00"));

        Assert.Equal(("eu-west", "probe-a", TimeSpan.FromMinutes(1)), (options.Region, options.InstanceId, options.CatalogRefreshInterval));
    }

    [Theory]
    [InlineData("Probe:Region", " ", "Probe:Region must not be empty")]
    [InlineData("Probe:CatalogRefreshInterval", "00:00:00", "Probe:CatalogRefreshInterval must be positive")]
    [InlineData("Probe:CatalogRetryMaxDelay", "00:00:00.1", "Probe:CatalogRetryMaxDelay must not be shorter")]
    public void A_bad_setting_stops_start_up_naming_the_key(string key, string value, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => From((key, value)));

        Assert.StartsWith("Configuration " + message, error.Message);
    }
}
