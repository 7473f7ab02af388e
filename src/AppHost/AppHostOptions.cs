namespace StatusPlatform.AppHost;

/// <summary>
/// The AppHost's command line: <c>--external</c> (use the PostgreSQL/RabbitMQ named by ConnectionStrings__* as they
/// are), <c>--regions eu,us</c> and <c>--probes-per-region 2</c> (several probe instances per named region, to
/// watch the quorum and the work split at work). Unknown or malformed arguments stop start-up with a message.
/// </summary>
public sealed record AppHostOptions(bool External, IReadOnlyList<string> Regions, int ProbesPerRegion)
{
    public const string Usage = "usage: AppHost [--external] [--regions eu,us] [--probes-per-region N]";

    /// <summary>One probe in region "local": what the AppHost ran before regions were an option.</summary>
    public static readonly AppHostOptions Default = new(false, ["local"], 1);

    public static AppHostOptions Parse(IReadOnlyList<string> args)
    {
        var options = Default;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--external":
                    options = options with { External = true };
                    break;
                case "--regions":
                    var regions = Value(args, ref i).Split(',', StringSplitOptions.TrimEntries);
                    if (regions.Any(r => r.Length == 0 || !r.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')))
                        throw new ArgumentException($"--regions takes a comma-separated list of names (letters, digits, '-'), not '{args[i]}'. {Usage}");
                    if (regions.Distinct(StringComparer.OrdinalIgnoreCase).Count() != regions.Length)
                        throw new ArgumentException($"--regions names a region twice: '{args[i]}'. {Usage}");
                    options = options with { Regions = regions };
                    break;
                case "--probes-per-region":
                    var text = Value(args, ref i);
                    if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count) || count is < 1 or > 10)
                        throw new ArgumentException($"--probes-per-region takes a number from 1 to 10, not '{text}'. {Usage}");
                    options = options with { ProbesPerRegion = count };
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'. {Usage}");
            }
        }
        return options;
    }

    /// <summary>The probe instances to start: (instance name, region), e.g. probe-eu-1, probe-eu-2, probe-us-1, ...</summary>
    public IEnumerable<(string Instance, string Region)> ProbeInstances() =>
        Regions.Count == 1 && ProbesPerRegion == 1 && Regions[0] == "local"
            ? [("probe", "local")]
            : Regions.SelectMany(region => Enumerable.Range(1, ProbesPerRegion).Select(n => ($"probe-{region}-{n}", region)));

    private static string Value(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count && !args[i].StartsWith("--", StringComparison.Ordinal) ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value. {Usage}");
}
