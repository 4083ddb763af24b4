create table src_visits (
    visit_id string,
    page string,
    visit_time timestamp(3),
    watermark for visit_time as visit_time - interval '5' second
) with ('connector' = 'datagen');

insert into int_visits_per_page
with valid as (select * from src_visits where page is not null)
select v.page, p.title, count(*) as visits
from valid as v
left join dim_pages p on v.page = p.page_id
group by v.page, p.title;

execute statement set
begin
    insert into int_visits_per_minute
    select window_start, count(*)
    from table(tumble(table src_visits, descriptor(visit_time), interval '1' minute))
    group by window_start, window_end;
    insert into int_visit_ids select visit_id from src_visits where visit_id in (select visit_id from ref_test_visits);
end;
