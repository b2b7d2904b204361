//! The generated crate's features: `cloudevents` (conversions with cloudevents-sdk) and `axum`
//! (extractors whose rejections follow each error's action), through their public API.

mod cloudevents_sdk {
    use cloudevents::event::{AttributesReader, ExtensionValue};
    use cloudevents::{Data, EventBuilder, EventBuilderV10};
    use cope_events::ticketing_event_published::v1::TicketingEventPublishedV1;
    use cope_events::{decode, CloudEvent, DecodeError, Event, TicketingEventPublished};
    use cope_events_tests::{edited_example, reference_example, REFERENCE_EXAMPLE};

    #[test]
    fn an_event_goes_to_the_sdk_and_back_with_every_attribute() {
        let event = decode(&edited_example(|event| drop(event.insert("traceparent".into(), "00-1".into())))).unwrap();
        let sdk = cloudevents::Event::try_from(event.clone()).unwrap();
        assert_eq!(sdk.id(), "ticketing.event.published:example");
        assert_eq!(sdk.source(), "cope.ticketing");
        assert_eq!(sdk.ty(), "ticketing.event.published");
        assert_eq!(sdk.subject(), Some("event:example"));
        assert_eq!(sdk.datacontenttype(), Some("application/json"));
        assert_eq!(
            sdk.dataschema().map(|url| url.as_str()),
            Some("https://schemas.cope.com/events/ticketing.event.published/v1")
        );
        assert_eq!(sdk.time().map(|time| time.timestamp_millis()), Some(1_777_982_400_000));
        assert_eq!(
            sdk.extension("idempotency_key"),
            Some(&ExtensionValue::String("ticketing.event.published:example".into()))
        );
        assert_eq!(sdk.extension("traceparent"), Some(&ExtensionValue::String("00-1".into())));
        assert_eq!(sdk.data(), Some(&Data::Json(reference_example()["data"].clone())));

        let back = Event::try_from(sdk).unwrap();
        // The SDK holds `time` as a UTC instant: the instant comes back, in the SDK's spelling.
        let Event::TicketingEventPublished(TicketingEventPublished::V1(back_v1)) = &back;
        assert_eq!(back_v1.time_text(), Some("2026-05-05T12:00:00Z"));
        let Event::TicketingEventPublished(TicketingEventPublished::V1(original)) = &event;
        assert_eq!(back_v1.time().map(|t| t.timestamp_millis()), original.time().map(|t| t.timestamp_millis()));
        let respelled = decode(&edited_example(|event| {
            event.insert("traceparent".into(), "00-1".into());
            event.insert("time".into(), "2026-05-05T12:00:00Z".into());
        }))
        .unwrap();
        assert_eq!(back, respelled, "everything else comes back as it was");
    }

    #[test]
    fn an_sdk_event_is_checked_like_a_decoded_one() {
        let built = |ty: &str, data: serde_json::Value| {
            EventBuilderV10::new()
                .id("1")
                .source("cope.ticketing")
                .ty(ty)
                .subject("event:42")
                .data_with_schema(
                    "application/json",
                    "https://schemas.cope.com/events/ticketing.event.published/v1",
                    data,
                )
                .build()
                .unwrap()
        };
        let data = reference_example()["data"].clone();
        let event = Event::try_from(built("ticketing.event.published", data.clone())).unwrap();
        assert_eq!(event.subject(), Some("event:42"));
        let single =
            CloudEvent::<TicketingEventPublishedV1>::try_from(built("ticketing.event.published", data.clone()));
        assert_eq!(single.unwrap().data.capacity, 1000);
        let per_type = TicketingEventPublished::try_from(built("ticketing.event.published", data.clone())).unwrap();
        assert_eq!(Event::from(per_type), event);
        assert!(matches!(Event::try_from(built("other.type", data)), Err(DecodeError::UnknownEventType { .. })));
        let invalid = Event::try_from(built("ticketing.event.published", serde_json::json!({"capacity": "x"})));
        assert!(matches!(invalid, Err(DecodeError::InvalidPayload { .. })), "{invalid:?}");
        let binary = EventBuilderV10::new()
            .id("1")
            .source("cope.ticketing")
            .ty("ticketing.event.published")
            .subject("event:42")
            .data_with_schema(
                "application/octet-stream",
                "https://schemas.cope.com/events/ticketing.event.published/v1",
                vec![1u8, 2, 3],
            )
            .build()
            .unwrap();
        let binary = Event::try_from(binary);
        assert!(matches!(binary, Err(DecodeError::ContractViolation { .. })), "{binary:?}");
        let from_text = EventBuilderV10::new()
            .id("1")
            .source("cope.ticketing")
            .ty("ticketing.event.published")
            .subject("event:42")
            .data("application/json", REFERENCE_EXAMPLE_DATA.to_owned())
            .build()
            .unwrap();
        assert!(Event::try_from(from_text).is_ok(), "JSON the SDK kept as text");
    }

    const REFERENCE_EXAMPLE_DATA: &str = r#"{"capacity": 1000, "ends_at": "2026-05-05T12:00:00.000Z",
        "event_id": "example_id", "event_product_ids": ["example_event_product_ids"],
        "event_type": "ticketing.event.published", "occurred_at": "2026-05-05T12:00:00.000Z",
        "schema_version": "1.0", "starts_at": "2026-05-05T12:00:00.000Z", "status": "published",
        "timezone": "example_timezone", "title": "example_title"}"#;

    #[test]
    fn an_event_without_time_gets_none_from_the_sdk() {
        let event = decode(&edited_example(|event| drop(event.remove("time")))).unwrap();
        let sdk = cloudevents::Event::try_from(event.clone()).unwrap();
        assert_eq!(sdk.time(), None);
        assert_eq!(Event::try_from(sdk).unwrap(), event);
    }

    #[test]
    fn a_value_the_sdk_cannot_hold_is_an_error_not_a_loss() {
        let huge = edited_example(|event| {
            event["data"].as_object_mut().unwrap().insert("venue".into(), serde_json::json!({}));
        });
        let text = String::from_utf8(huge).unwrap().replace(r#""venue":{}"#, r#""venue":{"seats":1e400}"#);
        let event = decode(text.as_bytes()).unwrap();
        assert!(cloudevents::Event::try_from(event).is_err());
        assert!(cloudevents::Event::try_from(decode(REFERENCE_EXAMPLE.as_bytes()).unwrap()).is_ok());
    }
}

mod axum_extractors {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::post;
    use axum::Router;
    use cope_events::ticketing_event_published::v1::TicketingEventPublishedV1;
    use cope_events::with_axum::{status_of, Batch, Rejection};
    use cope_events::{CloudEvent, Encode, Event, TicketingEventPublished};
    use cope_events_tests::{edited_example, REFERENCE_EXAMPLE};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    fn app() -> Router {
        Router::new()
            .route("/event", post(|event: Event| async move { event.id().to_owned() }))
            .route("/typed", post(|event: TicketingEventPublished| async move { event.version().to_string() }))
            .route("/single", post(|event: CloudEvent<TicketingEventPublishedV1>| async move { event.data.title }))
            .route(
                "/batch",
                post(|Batch(events): Batch<Event>| async move {
                    events.iter().map(|event| if event.is_ok() { "ok" } else { "bad" }).collect::<Vec<_>>().join(",")
                }),
            )
            .route(
                "/own",
                post(|event: Result<Event, Rejection>| async move {
                    match event {
                        Ok(_) => "decoded".to_owned(),
                        Err(rejection) => format!("{:?}", rejection.decode_error().map(|error| error.action())),
                    }
                }),
            )
    }

    async fn send(path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> (StatusCode, String) {
        let mut request = Request::post(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = app().oneshot(request.body(Body::from(body)).unwrap()).await.unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    const STRUCTURED: &[(&str, &str)] = &[("content-type", "application/cloudevents+json")];

    #[tokio::test]
    async fn every_mode_reaches_the_handler() {
        let example = REFERENCE_EXAMPLE.as_bytes().to_vec();
        assert_eq!(
            send("/event", STRUCTURED, example.clone()).await,
            (StatusCode::OK, "ticketing.event.published:example".into())
        );
        assert_eq!(send("/event", &[], example.clone()).await.0, StatusCode::OK, "JSON without a media type");
        assert_eq!(send("/typed", STRUCTURED, example.clone()).await, (StatusCode::OK, "1".into()));
        assert_eq!(send("/single", STRUCTURED, example.clone()).await, (StatusCode::OK, "example_title".into()));

        let binary = cope_events::decode(&example).unwrap().encode_binary().unwrap();
        let headers: Vec<(&str, &str)> = binary.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        assert_eq!(send("/event", &headers, binary.body.clone()).await.0, StatusCode::OK);

        let batch = format!("[{}, {{}}]", REFERENCE_EXAMPLE.trim()).into_bytes();
        let batch_type = [("content-type", "application/cloudevents-batch+json")];
        assert_eq!(send("/batch", &batch_type, batch.clone()).await, (StatusCode::OK, "ok,bad".into()));
        assert_eq!(send("/event", &batch_type, batch).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }

    #[tokio::test]
    async fn rejections_carry_the_status_of_their_action() {
        let cases = [
            (b"{".to_vec(), StatusCode::BAD_REQUEST),
            (edited_example(|event| drop(event.remove("specversion"))), StatusCode::BAD_REQUEST),
            (edited_example(|event| drop(event.insert("source".into(), "x".into()))), StatusCode::UNPROCESSABLE_ENTITY),
            (
                edited_example(|event| drop(event["data"].as_object_mut().unwrap().remove("title"))),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (edited_example(|event| drop(event.insert("type".into(), "x.y".into()))), StatusCode::ACCEPTED),
            (
                edited_example(|event| drop(event.insert("dataschema".into(), "https://x/v9".into()))),
                StatusCode::SERVICE_UNAVAILABLE,
            ),
        ];
        for (body, expected) in cases {
            let error = cope_events::decode(&body).map(|_| ()).unwrap_err();
            assert_eq!(status_of(&error), expected, "{error}");
            let (status, text) = send("/event", STRUCTURED, body).await;
            assert_eq!(status, expected, "{text}");
            assert_eq!(text, error.to_string(), "the response says why");
        }
        let (status, text) = send("/own", STRUCTURED, b"[]".to_vec()).await;
        assert_eq!((status, text.as_str()), (StatusCode::OK, "Some(DeadLetter)"), "a handler may take the rejection");
    }
}
