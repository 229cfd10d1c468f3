using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>When things may have happened, and which years may be asked about, over HTTP.</summary>
public class TimeBoundsTests(SiloFixture silo)
{
    [Theory]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("1000-01-01T00:00:00Z")]
    [InlineData("1944-12-31T16:59:59Z")]
    public async Task A_province_registered_before_1945_is_refused_and_nothing_is_stored(string occurredAt)
    {
        var province = $"t{Guid.NewGuid():N}"[..12];

        var detail = await RefusedAsync("register-unit",
            new RegisterUnit(SiloFixture.NewId(), province, "Tỉnh cũ", Echelon.Province, null, 10, DateTimeOffset.Parse(occurredAt, System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Contains("before 1945-01-01T00:00:00.0000000+07:00, the earliest date the system records", detail, StringComparison.Ordinal);
        Assert.Equal(0, await silo.Database.CountEventsAsync(province));
    }

    [Fact]
    public async Task A_unit_registered_before_its_parent_was_is_refused_and_nothing_is_stored()
    {
        var registered = DateTimeOffset.UtcNow.AddYears(-1);
        var tree = await silo.NewProvinceAsync(registeredAt: registered);
        var unit = tree.CommuneId + "/dan-quan";

        var detail = await RefusedAsync("register-unit",
            new RegisterUnit(SiloFixture.NewId(), unit, "Trung đội dân quân", Echelon.ForceUnit, null, 30, registered.AddDays(-1)));
        using var same = await silo.Http.PostAsJsonAsync("/api/commands/register-unit",
            new RegisterUnit(SiloFixture.NewId(), unit, "Trung đội dân quân", Echelon.ForceUnit, null, 30, registered), SiloFixture.Json);

        Assert.Contains($"before parent unit '{tree.CommuneId}' was registered", detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, same.StatusCode);
        Assert.Equal(1, await silo.Database.CountEventsAsync(unit));
    }

    [Fact]
    public async Task A_report_from_before_the_unit_existed_is_refused()
    {
        var registered = DateTimeOffset.UtcNow.AddYears(-1);
        var tree = await silo.NewProvinceAsync(registeredAt: registered);

        var detail = await RefusedAsync("record-outreach-session",
            new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, "Luật Quốc phòng", 40, registered.AddMonths(-2)));

        Assert.Contains($"before unit '{tree.CommuneId}' existed", detail, StringComparison.Ordinal);
        Assert.Equal(1, await silo.Database.CountEventsAsync(tree.CommuneId));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1944)]
    [InlineData(0)]
    [InlineData(-2024)]
    [InlineData(99999)]
    public async Task A_summary_of_a_year_outside_1945_to_now_is_a_400(int year)
    {
        using var response = await silo.Http.GetAsync(new Uri($"/api/provinces/bac-kan/summary/{year}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"give a year from 1945 to {CommandTime.YearOf(DateTimeOffset.UtcNow)}", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Next_year_is_refused_and_the_bounds_themselves_are_answered()
    {
        var thisYear = CommandTime.YearOf(DateTimeOffset.UtcNow);

        using var next = await silo.Http.GetAsync(new Uri($"/api/provinces/bac-kan/summary/{thisYear + 1}", UriKind.Relative));
        using var first = await silo.Http.GetAsync(new Uri("/api/provinces/bac-kan/summary/1945", UriKind.Relative));
        using var current = await silo.Http.GetAsync(new Uri($"/api/provinces/bac-kan/summary/{thisYear}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, next.StatusCode);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
    }

    private async Task<string> RefusedAsync<TCommand>(string route, TCommand command)
    {
        using var response = await silo.Http.PostAsJsonAsync($"/api/commands/{route}", command, SiloFixture.Json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!;
    }
}
