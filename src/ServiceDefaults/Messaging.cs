using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace StatusPlatform.ServiceDefaults;

public static class Messaging
{
    /// <summary>
    /// MassTransit on RabbitMQ from <c>ConnectionStrings:messaging</c> (an amqp:// URI, virtual host in the path):
    /// durable queues, publisher confirms, a short retry before a message moves to its <c>_error</c> queue, and
    /// no usage telemetry. MassTransit adds its own bus health check to <c>/health</c>.
    /// </summary>
    public static IHostApplicationBuilder AddMessaging(this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator>? configure = null)
    {
        var uri = builder.Configuration.GetConnectionString("messaging")
            ?? throw new InvalidOperationException("ConnectionStrings:messaging is not set (environment variable ConnectionStrings__messaging); see scripts/infra.sh env.");
        Environment.SetEnvironmentVariable("MASSTRANSIT_USAGE_TELEMETRY", "false");

        // Queues are named per service ("notify-incident-opened"), so two services with a consumer of the same name
        // never share a queue and split its messages, while instances of one service do compete on it.
        var service = builder.Environment.ApplicationName.Split('.')[0].ToLowerInvariant();
        builder.Services.AddMassTransit(bus =>
        {
            bus.DisableUsageTelemetry();
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(service, false));
            configure?.Invoke(bus);
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(new Uri(uri), host => host.PublisherConfirmation = true);
                rabbit.Durable = true;
                rabbit.UseMessageRetry(retry => retry.Intervals(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)));
                rabbit.ConfigureEndpoints(context);
            });
        });
        return builder;
    }
}
