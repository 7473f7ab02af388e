using StatusPlatform.AppHost;

namespace StatusPlatform.Operations.Tests.AppHost;

public sealed class AppHostOptionsTests
{
    [Fact]
    public void Without_arguments_one_probe_runs_in_the_local_region()
    {
        var options = AppHostOptions.Parse([]);
        Assert.False(options.External);
        Assert.Equal([("probe", "local")], options.ProbeInstances());
    }

    [Fact]
    public void Regions_and_probes_per_region_give_named_instances_in_each_region()
    {
        var options = AppHostOptions.Parse(["--regions", "eu,us", "--probes-per-region", "2", "--external"]);
        Assert.True(options.External);
        Assert.Equal([("probe-eu-1", "eu"), ("probe-eu-2", "eu"), ("probe-us-1", "us"), ("probe-us-2", "us")], options.ProbeInstances());
    }

    [Theory]
    [InlineData("--regions")]
    [InlineData("--regions", "eu,,")]
    [InlineData("--regions", "eu,EU")]
    [InlineData("--regions", "eu west")]
    [InlineData("--probes-per-region", "0")]
    [InlineData("--probes-per-region", "two")]
    [InlineData("--probes-per-region", "--external")]
    [InlineData("--region", "eu")]
    public void Bad_arguments_stop_with_a_message_naming_the_problem_and_the_usage(params string[] args)
    {
        var e = Assert.Throws<ArgumentException>(() => AppHostOptions.Parse(args));
        Assert.Contains(AppHostOptions.Usage, e.Message, StringComparison.Ordinal);
        Assert.Contains(args[0], e.Message, StringComparison.Ordinal);
    }
}
