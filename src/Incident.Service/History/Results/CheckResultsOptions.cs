namespace StatusPlatform.Incident.History.Results;

/// <summary>How long check results are kept and how often they are maintained (section "Checks" of the configuration).</summary>
public sealed record CheckResultsOptions(int RawRetentionDays, int RollupRetentionDays, TimeSpan MaintenanceInterval, int RollupRecomputeHours)
{
    /// <summary>Daily partitions exist from today to this many days ahead, so a day's first result never waits for DDL.</summary>
    public const int PartitionsAheadDays = 2;

    public static CheckResultsOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Checks");
        return new CheckResultsOptions(
            AtLeastOne(section, "RawRetentionDays", 7),
            AtLeastOne(section, "RollupRetentionDays", 400),
            TimeSpan.FromSeconds(AtLeastOne(section, "MaintenanceIntervalSeconds", 300)),
            AtLeastOne(section, "RollupRecomputeHours", 2));
    }

    private static int AtLeastOne(IConfigurationSection section, string key, int defaultValue)
    {
        var value = section.GetValue(key, defaultValue);
        return value >= 1 ? value : throw new InvalidOperationException($"Checks:{key} is {value}; it must be 1 or more.");
    }
}
