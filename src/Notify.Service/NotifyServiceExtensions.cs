using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StatusPlatform.Notify.Channels;
using StatusPlatform.Notify.Deliveries;
using StatusPlatform.Notify.Incidents;
using StatusPlatform.Notify.Messages;
using StatusPlatform.Notify.Schema;
using StatusPlatform.Notify.Security;
using StatusPlatform.Notify.Subscribers;
using StatusPlatform.Notify.Tickets;
using StatusPlatform.ServiceDefaults;

namespace StatusPlatform.Notify;

public static class NotifyServiceExtensions
{
    /// <summary>Every registration of the notification service (it owns the notify schema).</summary>
    public static IHostApplicationBuilder AddNotifyService(this IHostApplicationBuilder builder)
    {
        builder.AddPostgres();
        builder.Services.AddValidatedOptions<SmtpOptions>(SmtpOptions.Section, o => o.Problem());
        builder.Services.AddValidatedOptions<DeliveryOptions>(DeliveryOptions.Section, o => o.Problem());
        builder.Services.AddValidatedOptions<NotifyOptions>(NotifyOptions.Section, o => o.Problem());
        builder.Services.AddValidatedOptions<JiraOptions>(JiraOptions.Section, o => o.Problem());
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SubscriberTokens>();
        builder.Services.AddSingleton(sp => new LinkBuilder(sp.GetRequiredService<IOptions<NotifyOptions>>().Value, sp.GetRequiredService<SubscriberTokens>()));

        // Hosted services start in registration order: the schema gate first, so the worker and the bus
        // (registered by AddMessaging) start after it has read the subscriber file; both wait at the gate.
        builder.Services.AddSingleton<NotifyDatabase>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<NotifyDatabase>());
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "notify-schema", sp => sp.GetRequiredService<NotifyDatabase>(), HealthStatus.Unhealthy, ["ready"]));

        builder.Services.AddSingleton<DeliveryLog>();
        builder.Services.AddSingleton<SentMarks>();
        builder.Services.AddSingleton<DeliverySignal>();
        builder.Services.AddSingleton<NotifyMetrics>();
        builder.Services.AddSingleton<SubscriptionStore>();
        builder.Services.AddSingleton<SmsOptOut>();
        builder.Services.AddSingleton<DestinationBreakers>();
        builder.Services.AddSingleton<OutboundHttp>();
        builder.Services.AddHttpClient(SmsSender.HttpClientName);
        builder.Services.AddHttpClient(JiraClient.HttpClientName);
        builder.Services.AddSingleton<JiraClient>();
        builder.Services.AddSingleton<IChannelSender, EmailSender>();
        builder.Services.AddSingleton<IChannelSender, WebhookSender>();
        builder.Services.AddSingleton<IChannelSender, SmsSender>();
        builder.Services.AddHostedService<DeliveryWorker>();
        builder.Services.AddHostedService<PersistentOutageWatch>();
        builder.Services.AddHostedService<DigestFolder>();

        builder.AddMessaging(bus =>
        {
            bus.AddConsumer<IncidentConsumer>().Endpoint(e => e.Name = IncidentConsumer.Endpoint);
            bus.AddConsumer<SubscriptionConsumer>().Endpoint(e => e.Name = SubscriptionConsumer.Endpoint);
            bus.AddConsumer<AdminSubscriberConsumer>().Endpoint(e => e.Name = AdminSubscriberConsumer.Endpoint);
            // One at a time: an incident's comment must not overtake the creation of its issue.
            bus.AddConsumer<TicketConsumer>().Endpoint(e =>
            {
                e.Name = TicketConsumer.Endpoint;
                e.ConcurrentMessageLimit = 1;
            });
        });
        return builder;
    }

    /// <summary>Binds a configuration section and stops start-up with the option's own message when a value is wrong.</summary>
    private static void AddValidatedOptions<T>(this IServiceCollection services, string section, Func<T, string?> problem)
        where T : class
    {
        services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>>(new ProblemValidator<T>(problem));
    }

    private sealed class ProblemValidator<T>(Func<T, string?> problem) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options) =>
            problem(options) is { } message ? ValidateOptionsResult.Fail(message) : ValidateOptionsResult.Success;
    }
}
