using Microsoft.Extensions.Configuration;

namespace StatusPlatform.Probe.Tests.Membership;

/// <summary>The settings of the work split, the interval floor and the canary, with their defaults and their errors.</summary>
public sealed class MembershipOptionsTests
{
    private static ProbeOptions From(params (string Key, string Value)[] settings) =>
        ProbeOptions.From(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build());

    [Fact]
    public void By_default_a_10_s_floor_a_2_s_heartbeat_dead_after_6_s_and_no_canary()
    {
        var options = From();

        Assert.Equal((10, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6)), (options.MinimumIntervalSeconds, options.Heartbeat, options.MemberLifetime));
        Assert.Null(options.CanaryUrl);
    }

    [Fact]
    public void A_lower_floor_brings_the_heartbeat_down_with_it_unless_it_is_set()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(400), From(("Probe:MinimumInterval", "00:00:02")).Heartbeat);
        Assert.Equal(TimeSpan.FromMilliseconds(100), From(("Probe:MinimumInterval", "00:00:02"), ("Probe:HeartbeatInterval", "00:00:00.1")).Heartbeat);
        Assert.Equal(3, From(("Probe:MinimumInterval", "00:00:02.5")).MinimumIntervalSeconds);
    }

    [Theory]
    [InlineData("Probe:MinimumInterval", "00:00:00.5", "Probe:MinimumInterval must be at least 1 s")]
    [InlineData("Probe:MissedHeartbeats", "0", "Probe:MissedHeartbeats must be at least 1")]
    [InlineData("Probe:MissedHeartbeats", "5", "Probe:MissedHeartbeats x HeartbeatInterval (10 s) must be shorter than MinimumInterval (10 s)")]
    [InlineData("Probe:HeartbeatInterval", "00:00:04", "Probe:MissedHeartbeats x HeartbeatInterval (12 s) must be shorter")]
    [InlineData("Probe:CanaryUrl", "/health", "Probe:CanaryUrl must be an absolute http or https URL")]
    [InlineData("Probe:CanaryUrl", "ftp://example.org/", "Probe:CanaryUrl must be an absolute http or https URL")]
    [InlineData("Probe:CanaryInterval", "00:00:00", "Probe:CanaryInterval must be positive")]
    public void A_bad_setting_stops_start_up_naming_the_key(string key, string value, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => From((key, value)));

        Assert.StartsWith("Configuration " + message, error.Message);
    }
}
