create table src_visits_v2 (
    visit_id string,
    page string,
    visit_time timestamp(3),
    watermark for visit_time as visit_time - interval '5' second
) with ('connector' = 'datagen');

insert into int_visits_per_page_v2
with valid as (select * from src_visits_v2 where page is not null)
select v.page, p.title, count(*) as visits
from valid as v
left join dim_pages_v2 p on v.page = p.page_id
group by v.page, p.title;

execute statement set
begin
    insert into int_visits_per_minute_v2
    select window_start, count(*)
    from table(tumble(table src_visits_v2, descriptor(visit_time), interval '1' minute))
    group by window_start, window_end;
    insert into int_visit_ids_v2 select visit_id from src_visits_v2 where visit_id in (select visit_id from ref_test_visits_v2);
end;
