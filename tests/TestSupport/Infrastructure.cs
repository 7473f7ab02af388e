namespace StatusPlatform.TestSupport;

/// <summary>
/// Where the tests find PostgreSQL, RabbitMQ and SMTP: the same environment variables the services read
/// (scripts/infra.sh env prints them), with the loopback defaults that scripts/infra.sh sets up.
/// </summary>
public static class Infrastructure
{
    public static string PostgresConnectionString =>
        Environment.GetEnvironmentVariable("ConnectionStrings__statusdb")
        ?? "Host=127.0.0.1;Port=5432;Database=statusplatform;Username=statusplatform;Password=statusplatform";

    public static Uri MessagingUri =>
        new(Environment.GetEnvironmentVariable("ConnectionStrings__messaging")
            ?? "amqp://statusplatform:statusplatform@127.0.0.1:5672/statusplatform");

    public static Uri RabbitManagementUri =>
        new(Environment.GetEnvironmentVariable("SP_RABBIT_MANAGEMENT_URL") ?? "http://127.0.0.1:15672/");
}
