import { Controller, Get, NotFoundException, Param } from '@nestjs/common';

const PRICES: Record<string, number> = { 'coffee-beans': 12.5, 'tea-leaves': 8.25, mug: 6 };

/** A tiny price list the orders service calls over HTTP (the sample's outgoing HTTP hop). */
@Controller('catalogue')
export class CatalogueController {
  @Get(':sku')
  price(@Param('sku') sku: string): { sku: string; price: number } {
    const price = PRICES[sku];
    if (price === undefined) throw new NotFoundException(`unknown sku ${sku}; try one of ${Object.keys(PRICES).join(', ')}`);
    return { sku, price };
  }

  @Get()
  list(): Record<string, number> {
    return PRICES;
  }
}
