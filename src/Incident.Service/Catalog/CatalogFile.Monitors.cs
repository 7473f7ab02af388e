using System.Globalization;
using StatusPlatform.Contracts;
using StatusPlatform.Incident.Monitors;
using StatusPlatform.Probe.Checks.Conditions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace StatusPlatform.Incident.Catalog;

/// <summary>The monitors section: the keys of each kind of monitor, their values, and the conditions parsed at start-up.</summary>
public static partial class CatalogFile
{
    private static readonly string[] CommonMonitorKeys = ["id", "component", "kind", "interval", "timeout", "failure_threshold", "success_threshold"];

    private sealed partial class Reader
    {
        public MonitorSettings Monitor(YamlMappingNode node, string path, string component)
        {
            var kind = Optional(node, path, "kind") ?? "http";
            if (MonitorRules.Kind(kind) is { } badKind)
                throw Error(Field(node, "kind")!, $"{path}.kind", badKind);
            RejectForeignKeys(node, path, kind);
            if (MonitorRules.IsPushed(kind))
                return Pushed(node, path, component, kind);
            var target = kind == "http" ? Url(node, path) : Target(node, path, kind);
            var interval = Seconds(node, path, "interval", MonitorRules.DefaultInterval(kind));
            var timeout = Seconds(node, path, "timeout", MonitorRules.DefaultTimeout(interval));
            if (MonitorRules.Timeout(timeout, interval) is { } badTimeout)
                throw Error(Field(node, "timeout")!, $"{path}.timeout", badTimeout);
            var degradedAfter = Milliseconds(node, path, "degraded_after");
            if (degradedAfter is { } ms && MonitorRules.DegradedAfter(ms, timeout) is { } badDegraded)
                throw Error(Field(node, "degraded_after")!, $"{path}.degraded_after", badDegraded);
            var check = new CheckSettings(Headers(node, path), Optional(node, path, "body"), Bool(node, path, "follow_redirects", true),
                Int(node, path, "max_redirects", CheckSettings.DefaultMaxRedirects, 0, MonitorRules.MaxRedirects), Optional(node, path, "keyword"),
                Optional(node, path, "keyword_absent"), Conditions(node, path, target), degradedAfter, Bool(node, path, "verify_tls", true),
                Int(node, path, "certificate_min_days", CheckSettings.DefaultCertificateMinDaysLeft, 0, MonitorRules.MaxCertificateMinDays), Addresses(node, path));
            return new MonitorSettings(component, kind, target, kind == "http" ? Method(node, path) : "", interval, timeout,
                Int(node, path, "failure_threshold", MonitorRules.DefaultFailureThreshold, 1, MonitorRules.MaxThreshold),
                Int(node, path, "success_threshold", MonitorRules.DefaultSuccessThreshold, 1, MonitorRules.MaxThreshold), StatusCodes(node, path),
                // Null for all defaults: a monitor that uses none of these reads the same as before they existed.
                check == CheckSettings.Default ? null : check);
        }

        private void RejectForeignKeys(YamlMappingNode node, string path, string kind)
        {
            foreach (var key in node.Children.Keys.Cast<YamlScalarNode>().Where(k => !CommonMonitorKeys.Contains(k.Value) && !MonitorRules.Applies(k.Value!, kind)))
                throw Error(key, $"{path}.{key.Value}", MonitorRules.ForeignSetting(key.Value!, kind));
        }

        /// <summary>
        /// Monitors that are pushed to rather than probed. heartbeat: a job calls StatusApi's heartbeat URL at least every
        /// <c>interval</c>, and silence for interval + grace is a failure. external: another tool (source: pingdom,
        /// uptimerobot, alertmanager, grafana) posts its alerts to StatusApi's webhook URL. Only the token's SHA-256 is kept:
        /// the event store, the read models and the logs never hold the secret itself.
        /// </summary>
        private MonitorSettings Pushed(YamlMappingNode node, string path, string component, string kind)
        {
            foreach (var key in MonitorRules.NotForPushed)
            {
                if (Field(node, key) is { } value)
                    throw Error(value, $"{path}.{key}", MonitorRules.NotForPushedKind(kind));
            }
            var (token, tokenEnv) = (Optional(node, path, "token"), Optional(node, path, "token_env"));
            if ((token is null) == (tokenEnv is null))
                throw Error(node, $"{path}.token", $"a {kind} monitor needs exactly one of token (the secret) or token_env (an environment variable holding it)");
            if (tokenEnv is not null)
            {
                token = Environment.GetEnvironmentVariable(tokenEnv);
                if (string.IsNullOrEmpty(token))
                    throw Error(Field(node, "token_env")!, $"{path}.token_env", $"the environment variable '{tokenEnv}' is not set");
            }
            if (MonitorRules.Token(token!) is { } badToken)
                throw Error(Field(node, tokenEnv is null ? "token" : "token_env")!, $"{path}.{(tokenEnv is null ? "token" : "token_env")}", badToken);
            var interval = Seconds(node, path, "interval", MonitorRules.DefaultInterval(kind));
            var hash = HeartbeatSettings.Hash(token!);
            if (kind == "heartbeat")
            {
                // One missed deadline is down and one ping is up again: waiting for the deadline already absorbed the jitter.
                return new MonitorSettings(component, kind, "", "", interval, 0, 1, 1, [], Heartbeat: new HeartbeatSettings(hash, Seconds(node, path, "grace", MonitorRules.DefaultGraceSeconds)));
            }
            var source = Required(node, path, "source");
            if (MonitorRules.ExternalSource(source) is { } badSource)
                throw Error(Field(node, "source")!, $"{path}.source", badSource);
            return new MonitorSettings(component, kind, "", "", interval, 0, 1, 1, [], External: new ExternalSettings(source, hash));
        }

        private string Url(YamlMappingNode node, string path)
        {
            var url = Required(node, path, "url");
            return MonitorRules.Url(url) is { } problem ? throw Error(Field(node, "url")!, $"{path}.url", problem) : url;
        }

        private string Target(YamlMappingNode node, string path, string kind)
        {
            var target = Required(node, path, "target");
            return MonitorRules.Target(kind, target) is { } problem ? throw Error(Field(node, "target")!, $"{path}.target", problem) : target;
        }

        private string Method(YamlMappingNode node, string path)
        {
            var method = (Optional(node, path, "method") ?? "GET").ToUpperInvariant();
            return MonitorRules.Method(method) is { } problem ? throw Error(Field(node, "method")!, $"{path}.method", problem) : method;
        }

        /// <summary>A duration such as 500ms or 2s in milliseconds; null when the key is absent.</summary>
        private int? Milliseconds(YamlMappingNode node, string path, string key)
        {
            var text = Optional(node, path, key);
            if (text is null)
                return null;
            var match = DurationPattern().Match(text);
            var amount = match.Success && long.TryParse(match.Groups[1].Value, CultureInfo.InvariantCulture, out var value) ? value : -1;
            var ms = match.Groups[2].Value switch
            {
                "ms" => amount,
                "m" => amount * 60_000,
                "h" => amount * 3_600_000,
                _ => amount * 1_000,
            };
            return ms is >= 1 and <= int.MaxValue
                ? (int)ms
                : throw Error(Field(node, key)!, $"{path}.{key}", $"'{text}' is not a duration such as 500ms or 2s");
        }

        private List<HttpHeader>? Headers(YamlMappingNode node, string path)
        {
            if (Field(node, "headers") is not { } value)
                return null;
            if (value is not YamlMappingNode headers)
                throw Error(value, $"{path}.headers", "expected a mapping of header names to values, e.g. Accept: application/json");
            var result = new List<HttpHeader>();
            foreach (var (key, item) in headers.Children)
            {
                var name = ((YamlScalarNode)key).Value ?? "";
                if (MonitorRules.HeaderName(name) is { } badName)
                    throw Error(key, $"{path}.headers.{name}", badName);
                var text = (item as YamlScalarNode)?.Value;
                if (MonitorRules.HeaderValue(text) is { } badValue)
                    throw Error(item, $"{path}.headers.{name}", badValue);
                result.Add(new HttpHeader(name, text!));
            }
            return result.Count > 0 ? result : null;
        }

        private List<string>? Addresses(YamlMappingNode node, string path)
        {
            if (Field(node, "expected_addresses") is not { } value)
                return null;
            if (value is not YamlSequenceNode list)
                throw Error(value, $"{path}.expected_addresses", "expected a list of IP addresses, e.g. [192.0.2.10, 2001:db8::10]");
            var addresses = list.Children.Select((item, i) => MonitorRules.Address((item as YamlScalarNode)?.Value, out var address) is { } problem
                ? throw Error(item, $"{path}.expected_addresses[{i}]", problem)
                : address).ToList();
            return addresses.Count > 0 ? addresses : null;
        }

        /// <summary>
        /// The json: assertions (field path: expected value) as conditions, then the conditions: list, each parsed here so
        /// that a typo stops start-up with the line and the column in the file of the character the parser stopped at.
        /// </summary>
        private List<string>? Conditions(YamlMappingNode node, string path, string target)
        {
            var conditions = new List<string>();
            if (Field(node, "json") is { } json)
            {
                if (json is not YamlMappingNode fields)
                    throw Error(json, $"{path}.json", "expected a mapping of JSON fields to values, e.g. status: UP or items[0].id: 1");
                foreach (var (key, item) in fields.Children)
                {
                    var field = ((YamlScalarNode)key).Value ?? "";
                    if (item is not YamlScalarNode { Value: { } expected })
                        throw Error(item, $"{path}.json.{field}", "expected a single value");
                    var text = $"[BODY]{(field.StartsWith('[') ? "" : ".")}{field} == {Quote(expected)}";
                    try
                    {
                        var condition = Condition.Parse(text);
                        if (condition.Path.Count == 0)
                            throw new ConditionSyntaxException(text, 1, "expected a field path such as status or items[0].id");
                    }
                    catch (ConditionSyntaxException e)
                    {
                        throw Error(key, $"{path}.json.{field}", $"'{field}' is not a JSON field path such as status or items[0].id: {e.Problem}");
                    }
                    conditions.Add(text);
                }
            }
            if (Field(node, "conditions") is { } value)
            {
                if (value is not YamlSequenceNode list)
                    throw Error(value, $"{path}.conditions", "expected a list of conditions, e.g. [\"[STATUS] == 200\"]");
                for (var i = 0; i < list.Children.Count; i++)
                {
                    if (list.Children[i] is not YamlScalarNode { Value: { } text } scalar)
                        throw Error(list.Children[i], $"{path}.conditions[{i}]", "expected a condition such as [STATUS] == 200");
                    if (MonitorRules.Condition(text, target) is { } bad)
                    {
                        // A quoted scalar starts at its quote; the condition one character later.
                        var offset = scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted ? 1 : 0;
                        throw new CatalogFileException(file, scalar.Start.Line, scalar.Start.Column + offset + bad.Column - 1, $"{path}.conditions[{i}]",
                            $"column {bad.Column} of '{text}': {bad.Problem}");
                    }
                    conditions.Add(text);
                }
            }
            return conditions.Count > 0 ? conditions : null;
        }

        // A value a condition would trim or read as a quote goes in quotes.
        private static string Quote(string value) =>
            value.Length == 0 || value.Trim() != value || value.StartsWith('"')
                ? $"\"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\""
                : value;
    }
}
