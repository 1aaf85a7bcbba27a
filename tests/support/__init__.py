"""What every test builds on: people of every role (`people`) and factories for the records
(`factories`), each made through the app's services as the product itself makes them."""
